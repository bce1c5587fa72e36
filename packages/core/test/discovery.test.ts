import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain JS fixture helper shared with the server's tests
import { createFixtureHost } from "../../../fixtures/templates/create-host.mjs";
import { discoverTemplates, readTemplateManifest } from "../src/discovery.js";
import { ErrorCode } from "../src/errors.js";
import { createTemplateRegistry } from "../src/registry.js";

let host: string;

beforeAll(() => {
  host = createFixtureHost({ resolveFrom: resolve(import.meta.dirname, "..") });
});
afterAll(() => rmSync(host, { recursive: true, force: true }));

describe("discoverTemplates", () => {
  it("loads compatible templates from the host's dependencies and rejects the rest with codes", async () => {
    const result = await discoverTemplates({ hostDir: host });
    const loaded = result.loaded.map((t) => `${t.template.name}@${t.template.version}`).sort();
    expect(loaded).toEqual(["echo@1.2.0", "multi@1.0.0", "multi@2.0.0"]);

    const byName = Object.fromEntries(result.rejected.map((r) => [r.packageName, r]));
    expect(byName["agentrt-template-future"]).toMatchObject({
      code: ErrorCode.TEMPLATE_INCOMPATIBLE,
      packageVersion: "3.0.0",
    });
    expect(byName["agentrt-template-future"]?.message).toContain("^2.0.0");
    expect(byName["agentrt-template-future"]?.message).toContain("1.0.0");
    expect(byName["agentrt-template-broken"]?.code).toBe(ErrorCode.TEMPLATE_INVALID);
    // The incompatible package was never imported: its module sets this flag when evaluated.
    expect((globalThis as Record<string, unknown>).__agentrtIncompatibleFixtureImported).toBeUndefined();
  });

  it("keeps two majors of one template side by side and resolves ranges across them", async () => {
    const registry = createTemplateRegistry(await discoverTemplates({ hostDir: host }));
    expect(registry.versions("multi").map((t) => t.packageName)).toEqual([
      "agentrt-template-multi",
      "agentrt-template-multi",
    ]);
    expect(registry.resolve("multi", "^1").template.version).toBe("1.0.0");
    expect(registry.resolve("multi").template.version).toBe("2.0.0");
  });

  it("reads extra directories (a package or a folder of packages) and de-duplicates", async () => {
    const extra = await discoverTemplates({
      hostDir: join(host, "missing"),
      extraDirs: [join(host, "node_modules", "agentrt-template-echo"), join(host, "node_modules")],
    });
    const names = extra.loaded.map((t) => t.template.name).sort();
    expect(names).toEqual(["echo", "multi", "multi"]);
    expect(extra.rejected.map((r) => r.code).sort()).toEqual([
      ErrorCode.TEMPLATE_INCOMPATIBLE,
      ErrorCode.TEMPLATE_INVALID,
    ]);
  });

  it("ignores non-template dependencies and reports malformed metadata", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agentrt-meta-"));
    const pkg = (name: string, manifest: object) => {
      mkdirSync(join(dir, "node_modules", name), { recursive: true });
      writeFileSync(
        join(dir, "node_modules", name, "package.json"),
        JSON.stringify({ name, version: "1.0.0", ...manifest }),
      );
    };
    pkg("plain-lib", {});
    pkg("no-entry", { keywords: ["agentrt-template"] });
    pkg("bad-range", { agentrt: { template: "./x.js", coreApi: "banana" } });
    pkg("missing-module", { agentrt: { template: "./nope.js", coreApi: "^1" } });
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        dependencies: {
          "plain-lib": "1",
          "no-entry": "1",
          "bad-range": "1",
          "missing-module": "1",
          absent: "1",
        },
      }),
    );
    const result = await discoverTemplates({ hostDir: dir });
    expect(result.loaded).toEqual([]);
    expect(Object.fromEntries(result.rejected.map((r) => [r.packageName, r.code]))).toEqual({
      "no-entry": ErrorCode.TEMPLATE_INVALID,
      "bad-range": ErrorCode.TEMPLATE_INVALID,
      "missing-module": ErrorCode.TEMPLATE_INVALID,
    });
    expect(readTemplateManifest(join(dir, "node_modules", "plain-lib"))).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
  });

  it("rejects a template whose export disagrees with its manifest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agentrt-mismatch-"));
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "mismatch",
        version: "9.9.9",
        type: "module",
        agentrt: { template: "./index.js", coreApi: "^1" },
      }),
    );
    const brand = `{ $$type: "@agentrt/template", coreApi: "^1", configSchema: { safeParse() {} }, create() {}`;
    writeFileSync(
      join(dir, "index.js"),
      `export default ${brand}, specVersion: 1, name: "m", version: "1.0.0" };`,
    );
    let result = await discoverTemplates({ hostDir: dir, extraDirs: [dir] });
    expect(result.rejected[0]?.message).toMatch(/says version 1\.0\.0.*9\.9\.9/);

    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "future-spec",
        version: "1.0.0",
        type: "module",
        agentrt: { template: "./spec.js", coreApi: "^1" },
      }),
    );
    writeFileSync(
      join(dir, "spec.js"),
      `export default ${brand}, specVersion: 99, name: "m", version: "1.0.0" };`,
    );
    result = await discoverTemplates({ hostDir: dir, extraDirs: [dir] });
    expect(result.rejected[0]?.code).toBe(ErrorCode.TEMPLATE_INCOMPATIBLE);

    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "bad-name",
        version: "1.0.0",
        type: "module",
        agentrt: { template: "./name.js", coreApi: "^1" },
      }),
    );
    writeFileSync(
      join(dir, "name.js"),
      `export const template = ${brand}, specVersion: 1, name: "Bad Name", version: "1.0.0" };`,
    );
    result = await discoverTemplates({ hostDir: dir, extraDirs: [dir] });
    expect(result.rejected[0]?.message).toMatch(/not a lower-case slug/);
    expect(existsSync(dir)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});
