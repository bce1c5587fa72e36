import { readFileSync } from "node:fs";
import { SANDBOX_ERRORS } from "@agentrt/sandbox";
import { entryImports, loadTemplatePackage } from "@agentrt/testing";
import { expect, it } from "vitest";
import { CUSTOM_ERRORS } from "../src/errors.js";

const packageDir = new URL("..", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  name: string;
  version: string;
};

// Loads the built package the way a server finds a third party's template (run `build` first).
it("is discovered from its package.json and dist like a third-party template", async () => {
  const found = await loadTemplatePackage(packageDir);
  expect(found.name).toBe("custom");
  expect(found.version).toBe(manifest.version);
  expect(found.resolveConfig).toBeTypeOf("function");
  expect(found.services ?? {}).toEqual({});
});

it("declares the sandbox's codes and its own, with their statuses, in the built package", async () => {
  const found = await loadTemplatePackage(packageDir);
  expect(found.errors).toEqual(CUSTOM_ERRORS);
  expect(found.errors).toMatchObject(SANDBOX_ERRORS);
  expect(found.errors).toMatchObject({
    CODE_FETCH_FAILED: { status: 422 },
    PATH_NOT_ALLOWED: { status: 422 },
  });
});

// Discovery imports every template at server start; the sandbox and the code loaders wait for the
// first validate/create.
it("imports only core, zod and the sandbox's error declarations (no esbuild, no https/tls) when the entry module is loaded", () => {
  const packages = new Set(
    entryImports(new URL("../dist/", import.meta.url)).filter((specifier) => !specifier.startsWith("./")),
  );
  expect([...packages].sort()).toEqual(["@agentrt/core", "@agentrt/sandbox/errors", "zod"]);
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
