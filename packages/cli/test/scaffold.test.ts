import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { captureIo } from "./capture-io.js";
import { runScript, runShell } from "./run-script.js";
import { linkWorkspaceDeps } from "./workspace-deps.js";

// A real round trip, outside the workspace: scaffold, then the generated package's own scripts.
const root = mkdtempSync(join(tmpdir(), "agentrt-scaffold-"));
const dir = join(root, "greeter");
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("agentrt new template", () => {
  let created: number;
  const io = captureIo(root);
  beforeAll(async () => {
    created = await runCli(["new", "template", "greeter"], io);
    linkWorkspaceDeps(dir);
  });

  it("writes a template package with discovery metadata", () => {
    expect(created).toBe(0);
    expect(io.out).toContain('Created agentrt-template-greeter (template "greeter") in greeter');
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(manifest).toMatchObject({
      name: "agentrt-template-greeter",
      version: "0.1.0",
      type: "module",
      keywords: expect.arrayContaining(["agentrt-template"]),
      agentrt: { template: "./dist/index.js", coreApi: "^1.0.0" },
      peerDependencies: { "@agentrt/core": "^1.0.0" },
      devDependencies: { "@agentrt/core": "^1.0.0", "@agentrt/testing": "^1.0.0" },
      exports: { "./package.json": "./package.json" },
      scripts: { build: "tsup", test: "vitest run" },
    });
  });

  it("builds, passes its conformance tests, typechecks and is publint-clean with no edits", async () => {
    const build = await runScript(dir, "build");
    expect(build.code, build.output).toBe(0);
    const test = await runScript(dir, "test");
    expect(test.code, test.output).toBe(0);
    expect(test.output).toMatch(/Tests\s+\S*\s*12 passed/);
    const typecheck = await runScript(dir, "typecheck");
    expect(typecheck.code, typecheck.output).toBe(0);
    const publint = await runShell(dir, "publint --strict");
    expect(publint.code, publint.output).toBe(0);
    expect(publint.output).toContain("All good!");
  });

  it("passes `agentrt templates validate` with the config and input from its package.json", async () => {
    const validate = captureIo(root);
    expect(await runCli(["templates", "validate", "greeter"], validate)).toBe(0);
    expect(validate.out).toContain("✓ stops within 1000 ms when cancelled");
    expect(validate.out).toContain("11 passed, 0 failed");
  });

  it("is listed by `agentrt templates list` from an extra template dir", async () => {
    const list = captureIo(root);
    expect(await runCli(["templates", "list", "--json", "--template-dir", "greeter"], list)).toBe(0);
    const result = JSON.parse(list.out);
    expect(result.loaded).toEqual([
      expect.objectContaining({ name: "greeter", version: "0.1.0", packageName: "agentrt-template-greeter" }),
    ]);
  });

  it("refuses a directory that is not empty", async () => {
    const again = captureIo(root);
    expect(await runCli(["new", "template", "greeter"], again)).toBe(1);
    expect(again.err).toContain("already exists and is not empty");
  });
});

describe("agentrt new template options", () => {
  it("keeps a scoped name, writes to --dir and pins --core-version", async () => {
    const io = captureIo(root);
    const code = await runCli(
      ["new", "template", "@acme/template-weather", "--dir", "custom", "--core-version", "^1.2.0"],
      io,
    );
    expect(code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(root, "custom", "package.json"), "utf8"));
    expect(manifest.name).toBe("@acme/template-weather");
    expect(manifest.peerDependencies["@agentrt/core"]).toBe("^1.2.0");
    expect(manifest.devDependencies["@agentrt/testing"]).toBe("^1.2.0");
    expect(readFileSync(join(root, "custom", "src", "index.ts"), "utf8")).toContain('name: "weather"');
  });

  it("rejects a name that is not a slug with a usage error", async () => {
    const io = captureIo(root);
    expect(await runCli(["new", "template", "Bad_Name"], io)).toBe(2);
    expect(io.err).toContain("is not a valid template name");
  });
});
