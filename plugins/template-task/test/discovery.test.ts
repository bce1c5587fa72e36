import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { discoverTemplates } from "@agentrt/core";
import { entryImports } from "@agentrt/testing";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

// Loads the built package exactly as the server does for a third-party template (needs `pnpm build`).
describe("discovery of the built package", () => {
  it("is found, passes the manifest checks and reports package.json's version", async () => {
    const { loaded, rejected } = await discoverTemplates({ hostDir: packageDir, extraDirs: [packageDir] });
    expect(rejected).toEqual([]);
    const task = loaded.find((entry) => entry.packageName === "@agentrt/template-task");
    expect(task?.template.name).toBe("task");
    expect(task?.template.version).toBe(manifest.version);
    expect(task?.template.coreApi).toBe(manifest.agentrt.coreApi);
    expect(task?.template.idempotent).toBe(false);
  });

  // The server imports every template at start; the run machinery (fetch, timers, step kinds) waits
  // for create().
  it("imports only core and zod when the entry module is loaded", () => {
    const packages = new Set(
      entryImports(new URL("../dist/", import.meta.url)).filter((specifier) => !specifier.startsWith("./")),
    );
    expect([...packages].sort()).toEqual(["@agentrt/core", "zod"]);
  });
});
