import { readFileSync } from "node:fs";
import { CORE_API_VERSION, checkCoreApi } from "@agentrt/core";
import { entryImports, loadTemplatePackage } from "@agentrt/testing";
import { describe, expect, it } from "vitest";

const packageDir = new URL("..", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

// Loads the built package exactly as the server does for a third-party template (needs `npx tsup`):
// package.json (`agentrt.template`, `agentrt.coreApi`) first, then the entry module.
describe("discovery of the built package", () => {
  it("is found, passes the manifest checks and reports package.json's version", async () => {
    const task = await loadTemplatePackage(packageDir);
    expect(task.name).toBe("task");
    expect(task.version).toBe(manifest.version);
    expect(task.idempotent).toBe(false);
    expect(task.errors).toEqual({
      STEP_FAILED: { status: 500, description: expect.any(String) },
      STEP_TIMEOUT: { status: 504, description: expect.any(String) },
      URL_NOT_ALLOWED: { status: 422, description: expect.any(String) },
    });
    expect(task.services?.secrets).toMatchObject({ id: "agentrt.secrets", optional: true });
  });

  it("declares the core API range it is built against, as coreApi and as the peer dependency", () => {
    expect(() => checkCoreApi("@agentrt/template-task", manifest.agentrt.coreApi)).not.toThrow();
    expect(() => checkCoreApi("@agentrt/template-task", manifest.agentrt.coreApi, "1.0.0")).toThrow();
    expect(manifest.peerDependencies["@agentrt/core"]).toBe(manifest.agentrt.coreApi);
    expect(CORE_API_VERSION).toMatch(/^2\./);
  });

  // The server imports every template at start; the run machinery (fetch, timers, step kinds) waits
  // for create(). `@agentrt/egress` (no dependencies of its own) checks http steps' request templates
  // in the config schema.
  it("imports only core, egress and zod when the entry module is loaded", () => {
    const packages = new Set(
      entryImports(new URL("../dist/", import.meta.url)).filter((specifier) => !specifier.startsWith("./")),
    );
    expect([...packages].sort()).toEqual(["@agentrt/core", "@agentrt/egress", "zod"]);
  });
});
