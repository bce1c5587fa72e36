import { describe, expect, it } from "vitest";
import { ErrorCode, isAgentrtError } from "./errors.js";
import { checkCoreApi, parseTemplateManifest, TEMPLATE_KEYWORD } from "./manifest.js";

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isAgentrtError(error) ? error.code : "not-coded";
  }
}

describe("checkCoreApi", () => {
  it("accepts a range the core version satisfies", () => {
    expect(codeOf(() => checkCoreApi("t@1.0.0", "^1.0.0", "1.4.2"))).toBeUndefined();
    expect(codeOf(() => checkCoreApi("t@1.0.0", ">=1 <3", "2.0.0"))).toBeUndefined();
  });

  it("counts core pre-releases as inside a range", () => {
    expect(codeOf(() => checkCoreApi("t@1.0.0", "^2.0.0", "2.1.0-rc.1"))).toBeUndefined();
  });

  it("rejects an unsatisfied range naming both versions", () => {
    try {
      checkCoreApi("agentrt-template-x@3.0.0", "^2.0.0", "1.0.0");
      expect.unreachable();
    } catch (error) {
      expect(isAgentrtError(error) && error.code).toBe(ErrorCode.TEMPLATE_INCOMPATIBLE);
      expect((error as Error).message).toContain("^2.0.0");
      expect((error as Error).message).toContain("1.0.0");
      expect((error as Error).message).toContain("agentrt-template-x@3.0.0");
    }
  });

  it("rejects missing or malformed ranges as invalid", () => {
    expect(codeOf(() => checkCoreApi("t", undefined))).toBe(ErrorCode.TEMPLATE_INVALID);
    expect(codeOf(() => checkCoreApi("t", "not a range"))).toBe(ErrorCode.TEMPLATE_INVALID);
    expect(codeOf(() => checkCoreApi("t", 42))).toBe(ErrorCode.TEMPLATE_INVALID);
  });
});

describe("parseTemplateManifest", () => {
  const base = { name: "t", version: "1.2.3", agentrt: { template: "./dist/index.js", coreApi: "^2.0.0" } };

  it("reads a template package's manifest and ignores other packages", () => {
    expect(parseTemplateManifest(base, "2.0.0")).toEqual({
      packageName: "t",
      packageVersion: "1.2.3",
      entry: "./dist/index.js",
      coreApi: "^2.0.0",
    });
    expect(parseTemplateManifest({ name: "lodash", version: "4.0.0" })).toBeUndefined();
  });

  it("refuses a tagged package without an entry, a name or a semver version", () => {
    const tagged = { name: "t", version: "1.0.0", keywords: [TEMPLATE_KEYWORD] };
    expect(codeOf(() => parseTemplateManifest(tagged))).toBe(ErrorCode.TEMPLATE_INVALID);
    expect(codeOf(() => parseTemplateManifest({ ...base, name: undefined }))).toBe(
      ErrorCode.TEMPLATE_INVALID,
    );
    expect(codeOf(() => parseTemplateManifest({ ...base, version: "one" }))).toBe(ErrorCode.TEMPLATE_INVALID);
  });

  it("refuses a core range this core does not satisfy, before anything is imported", () => {
    expect(codeOf(() => parseTemplateManifest(base, "1.0.0"))).toBe(ErrorCode.TEMPLATE_INCOMPATIBLE);
  });
});
