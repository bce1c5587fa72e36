import { ErrorCode, isAgentrtError } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { installed } from "../test/engine-fixtures.js";
import type { LoadedTemplate } from "./discovery.js";
import { createTemplateRegistry, parseTemplateRef } from "./registry.js";

function loaded(name: string, version: string, dir = `/t/${name}-${version}`): LoadedTemplate {
  const template = installed(
    {
      name,
      configSchema: z.object({}),
      errors: { OWN_FAILURE: { status: 409 } },
      create: () => ({ async *run() {} }),
    },
    version,
  );
  return {
    template,
    coreApi: "^2.0.0",
    packageName: `agentrt-template-${name}`,
    packageVersion: version,
    packageDir: dir,
  };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isAgentrtError(error) ? error.code : "not-coded";
  }
}

describe("parseTemplateRef", () => {
  it("splits name and range", () => {
    expect(parseTemplateRef("task")).toEqual({ name: "task", range: "*" });
    expect(parseTemplateRef("task@^2")).toEqual({ name: "task", range: "^2" });
    expect(parseTemplateRef("task@2.1.0")).toEqual({ name: "task", range: "2.1.0" });
  });

  it("rejects malformed references", () => {
    expect(codeOf(() => parseTemplateRef("task@not-a-range"))).toBe(ErrorCode.VALIDATION_FAILED);
    expect(codeOf(() => parseTemplateRef(""))).toBe(ErrorCode.VALIDATION_FAILED);
  });
});

describe("createTemplateRegistry", () => {
  const registry = createTemplateRegistry({
    loaded: [
      loaded("task", "1.4.0"),
      loaded("task", "2.1.0"),
      loaded("task", "2.0.0"),
      loaded("chat", "1.0.0"),
    ],
    rejected: [
      {
        packageName: "x",
        packageVersion: "1.0.0",
        packageDir: "/x",
        code: ErrorCode.TEMPLATE_INVALID,
        message: "m",
      },
    ],
  });

  it("lists names and versions newest first", () => {
    expect(registry.names()).toEqual(["chat", "task"]);
    expect(registry.versions("task").map((t) => t.template.version)).toEqual(["2.1.0", "2.0.0", "1.4.0"]);
    expect(registry.versions("nope")).toEqual([]);
    expect(registry.size()).toBe(4);
  });

  it("resolves a range to the highest matching version", () => {
    expect(registry.resolve("task").template.version).toBe("2.1.0");
    expect(registry.resolve("task", "^1").template.version).toBe("1.4.0");
    expect(registry.resolve("task", "~2.0.0").template.version).toBe("2.0.0");
    expect(registry.get("task", "1.4.0")?.template.version).toBe("1.4.0");
    expect(registry.get("task", "9.9.9")).toBeUndefined();
  });

  it("reports unknown names and unmatched ranges with distinct codes", () => {
    expect(codeOf(() => registry.resolve("nope"))).toBe(ErrorCode.TEMPLATE_NOT_FOUND);
    expect(codeOf(() => registry.resolve("task", "^3"))).toBe(ErrorCode.TEMPLATE_VERSION_NOT_FOUND);
  });

  it("replaces a re-registered version (hot reload) and keeps rejections per package", () => {
    const next = loaded("chat", "1.0.0", "/t/chat-rebuilt");
    registry.register(next);
    expect(registry.versions("chat")).toEqual([next]);
    registry.reject({
      packageName: "x",
      packageVersion: "1.0.1",
      packageDir: "/x",
      code: ErrorCode.TEMPLATE_INCOMPATIBLE,
      message: "n",
    });
    expect(registry.rejected()).toHaveLength(1);
    expect(registry.rejected()[0]?.code).toBe(ErrorCode.TEMPLATE_INCOMPATIBLE);
  });

  it("clears a package's rejection when a build of it registers", () => {
    const dev = createTemplateRegistry();
    dev.reject({
      packageName: "p",
      packageVersion: "1.0.0",
      packageDir: "/dev/p",
      code: ErrorCode.TEMPLATE_INVALID,
      message: "syntax",
    });
    dev.reject({
      packageName: "q",
      packageVersion: "1.0.0",
      packageDir: "/dev/q",
      code: ErrorCode.TEMPLATE_INVALID,
      message: "other",
    });
    dev.register(loaded("p", "1.0.0", "/dev/p"));
    expect(dev.rejected().map((r) => r.packageDir)).toEqual(["/dev/q"]);
  });

  it("says a template is installed but refused rather than missing", () => {
    const registry = createTemplateRegistry({
      loaded: [],
      rejected: [
        {
          packageName: "@acme/agentrt-template-vectors",
          packageVersion: "1.0.0",
          packageDir: "/a",
          code: ErrorCode.TEMPLATE_INCOMPATIBLE,
          message: "needs core ^9",
        },
        {
          packageName: "x",
          templateName: "needy",
          packageVersion: "1.0.0",
          packageDir: "/b",
          code: ErrorCode.TEMPLATE_SERVICE_MISSING,
          message: "needs acme.db",
        },
      ],
    });
    expect(() => registry.resolve("vectors")).toThrow(
      expect.objectContaining({
        code: ErrorCode.TEMPLATE_REJECTED,
        details: expect.objectContaining({ code: "TEMPLATE_INCOMPATIBLE" }),
      }),
    );
    expect(() => registry.resolve("needy")).toThrow(
      expect.objectContaining({ code: ErrorCode.TEMPLATE_REJECTED }),
    );
    expect(() => registry.resolve("other")).toThrow(
      expect.objectContaining({ code: ErrorCode.TEMPLATE_NOT_FOUND }),
    );
  });

  it("knows the status each template declared for its own codes", () => {
    const registry = createTemplateRegistry({ loaded: [loaded("task", "1.0.0")], rejected: [] });
    expect(registry.errorStatus("task.OWN_FAILURE")).toBe(409);
    expect(registry.errorStatus("task.UNDECLARED")).toBeUndefined();
    expect(registry.errorStatus("other.OWN_FAILURE")).toBeUndefined();
    expect(registry.errorStatus("OWN_FAILURE")).toBeUndefined();
  });

  it("rejects a second package providing the same name and version", () => {
    const dup = createTemplateRegistry({
      loaded: [loaded("a", "1.0.0", "/one"), loaded("a", "1.0.0", "/two")],
      rejected: [],
    });
    expect(dup.versions("a")).toHaveLength(1);
    expect(dup.rejected()[0]).toMatchObject({ code: ErrorCode.TEMPLATE_DUPLICATE, packageDir: "/two" });
  });
});
