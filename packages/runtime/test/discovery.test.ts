import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CORE_API_VERSION, ErrorCode } from "@agentrt/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain JS fixture helper shared with the server's tests
import { createFixtureHost } from "../../../fixtures/templates/create-host.mjs";
import { discoverTemplates, readTemplateManifest } from "../src/discovery.js";
import { createTemplateRegistry } from "../src/registry.js";

let host: string;

beforeAll(() => {
  host = createFixtureHost({ resolveFrom: resolve(import.meta.dirname, "..") });
});
afterAll(() => rmSync(host, { recursive: true, force: true }));

describe("discoverTemplates", () => {
  it("loads compatible templates from the host's dependencies and rejects the rest with codes", async () => {
    const result = await discoverTemplates({ hostDir: host, services: new Set(["agentrt.checkpointer"]) });
    const loaded = result.loaded.map((t) => `${t.template.name}@${t.template.version}`).sort();
    expect(loaded).toEqual(["echo@1.2.0", "multi@1.0.0", "multi@2.0.0", "parrot@1.0.0"]);

    const byName = Object.fromEntries(result.rejected.map((r) => [r.packageName, r]));
    expect(byName["agentrt-template-future"]).toMatchObject({
      code: ErrorCode.TEMPLATE_INCOMPATIBLE,
      packageVersion: "3.0.0",
    });
    expect(byName["agentrt-template-future"]?.message).toContain("^3.0.0");
    expect(byName["agentrt-template-future"]?.message).toContain(CORE_API_VERSION);
    // A template written for the previous major is refused the same way.
    expect(byName["agentrt-template-legacy"]).toMatchObject({
      code: ErrorCode.TEMPLATE_INCOMPATIBLE,
      message: expect.stringContaining("^1.0.0"),
    });
    expect(byName["agentrt-template-broken"]?.code).toBe(ErrorCode.TEMPLATE_INVALID);
    // A required service the host lacks is named in the reason; optional ones are not required.
    expect(byName["agentrt-template-needs-service"]).toMatchObject({
      code: ErrorCode.TEMPLATE_SERVICE_MISSING,
      message: expect.stringContaining('"acme.vector-store"'),
    });
    expect(byName["agentrt-template-needs-service"]?.message).not.toContain("agentrt.secrets");
    // Incompatible packages were never imported: their modules set these flags when evaluated.
    const flags = globalThis as Record<string, unknown>;
    expect(flags.__agentrtIncompatibleFixtureImported).toBeUndefined();
    expect(flags.__agentrtLegacyFixtureImported).toBeUndefined();
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
    // Without `services` nothing is checked against the host's services (listing tools).
    expect(names).toEqual(["echo", "multi", "multi", "needs-service", "parrot"]);
    expect(extra.rejected.map((r) => r.code).sort()).toEqual([
      ErrorCode.TEMPLATE_INCOMPATIBLE,
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
    pkg("missing-module", { agentrt: { template: "./nope.js", coreApi: "^2" } });
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

  it("rejects a template whose export the host cannot run, and takes the version from package.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agentrt-checks-"));
    const brand = `{ $$type: "@agentrt/template", configSchema: { safeParse() {} }, create() {}`;
    async function discover(file: string, body: string) {
      writeFileSync(
        join(dir, "package.json"),
        JSON.stringify({
          name: file,
          version: "9.9.9",
          type: "module",
          agentrt: { template: `./${file}.js`, coreApi: "^2" },
        }),
      );
      writeFileSync(join(dir, `${file}.js`), `export default ${brand}, ${body} };`);
      return discoverTemplates({ hostDir: dir, extraDirs: [dir] });
    }

    let result = await discover("fine", `specVersion: 2, name: "fine"`);
    expect(result.loaded[0]?.template.version).toBe("9.9.9");
    result = await discover("spec", `specVersion: 99, name: "m"`);
    expect(result.rejected[0]?.code).toBe(ErrorCode.TEMPLATE_INCOMPATIBLE);
    result = await discover("name", `specVersion: 2, name: "Bad Name"`);
    expect(result.rejected[0]?.message).toMatch(/not a lower-case slug/);
    result = await discover(
      "host-code",
      `specVersion: 2, name: "m", errors: { AGENT_NOT_FOUND: { status: 404 } }`,
    );
    expect(result.rejected[0]).toMatchObject({
      code: ErrorCode.TEMPLATE_INVALID,
      message: expect.stringContaining("host code"),
    });
    result = await discover("no-status", `specVersion: 2, name: "m", errors: { OWN: { status: 200 } }`);
    expect(result.rejected[0]?.message).toMatch(/OWN needs an HTTP error status/);
    result = await discover("lower", `specVersion: 2, name: "m", errors: { own: { status: 500 } }`);
    expect(result.rejected[0]?.message).toMatch(/not UPPER_SNAKE_CASE/);
    rmSync(dir, { recursive: true, force: true });
  });
});
