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
  expect(found?.template.name).toBe("custom");
  expect(found?.template.version).toBe(manifest.version);
  expect(found?.template.resolveConfig).toBeTypeOf("function");
});

// Discovery imports every template at server start; the sandbox and the code loaders wait for the
// first validate/create.
it("imports only core and zod (no sandbox, no https/tls) when the entry module is loaded", () => {
  const packages = new Set(
    entryImports(new URL("../dist/", import.meta.url)).filter((specifier) => !specifier.startsWith("./")),
  );
  expect([...packages].sort()).toEqual(["@agentrt/core", "zod"]);
});

it("offers the code loaders on the ./loaders subpath", async () => {
  const loaders = await import(new URL("../dist/loaders.js", import.meta.url).href);
  expect(Object.keys(loaders).sort()).toEqual([
    "findRestrictedRange",
    "isHostAllowed",
    "loadFileCode",
    "loadUrlCode",
    "parseCodeUrl",
  ]);
  expect(loaders.findRestrictedRange("169.254.169.254")).toBe("link-local");
});
