import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { discoverTemplates } from "@agentrt/core";
import { entryImports } from "@agentrt/testing";
import { expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  name: string;
  version: string;
};

// Loads the built package the way a server finds a third party's template (run `build` first).
it("is discovered from its package.json and dist like a third-party template", async () => {
  const { loaded, rejected } = await discoverTemplates({ hostDir: packageDir, extraDirs: [packageDir] });
  expect(rejected).toEqual([]);
  const found = loaded.find((entry) => entry.packageName === manifest.name);
  expect(found?.template.name).toBe("conversation");
  expect(found?.template.version).toBe(manifest.version);
  expect(found?.packageVersion).toBe(manifest.version);
});

// Discovery imports every template at server start; LangChain (hundreds of ms) waits for create().
it("imports only core, zod and node:fs (no LangChain) when the entry module is loaded", () => {
  const packages = new Set(
    entryImports(new URL("../dist/", import.meta.url)).filter((specifier) => !specifier.startsWith("./")),
  );
  expect([...packages].sort()).toEqual(["@agentrt/core", "node:fs", "zod"]);
});
