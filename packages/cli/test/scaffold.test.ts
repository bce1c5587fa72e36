import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { captureIo } from "./capture-io.js";
import { runScript, runShell } from "./run-script.js";
import { cliDir, linkWorkspaceDeps, workspaceDir } from "./workspace-deps.js";

const versionOf = (name: string) =>
  (createRequire(join(cliDir, "package.json"))(`${name}/package.json`) as { version: string }).version;
const testingVersion = versionOf("@agentrt/testing");
const cliVersion = versionOf("@agentrt/cli");

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
      agentrt: { template: "./dist/index.js", coreApi: "^2.0.0" },
      peerDependencies: { "@agentrt/core": "^2.0.0" },
      devDependencies: {
        "@agentrt/core": "^2.0.0",
        "@agentrt/testing": `^${testingVersion}`,
        "@agentrt/cli": `^${cliVersion}`,
      },
      exports: { "./package.json": "./package.json" },
      engines: { node: ">=24" },
      scripts: {
        build: "tsup",
        test: "tsup && vitest run",
        publint: "publint --pack npm",
        prepublishOnly: "tsup && publint --pack npm",
      },
      // Quiet installs: esbuild's install script is allowed up front, for pnpm and for npm.
      pnpm: { onlyBuiltDependencies: ["esbuild"], ignoredBuiltDependencies: ["protobufjs"] },
      allowScripts: { esbuild: true, protobufjs: false },
    });
    expect(manifest.devDependencies).not.toHaveProperty("@agentrt/runtime");
    // npm refuses an older Node with a clear error instead of a warning.
    expect(readFileSync(join(dir, ".npmrc"), "utf8")).toBe("engine-strict=true\n");
    expect(io.out).toContain("npm install\n  npm test");
    expect(io.out).toContain("npx -y pnpm@10.34.9 registry");
  });

  it("ships a migration example with sample configs for the conformance check", () => {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(manifest.agentrt.conformance.previousConfigs).toEqual([
      { version: "0.0.1", config: { salutation: "Hi", uppercase: true } },
    ]);
    expect(readFileSync(join(dir, "src", "index.ts"), "utf8")).toContain("  migrations,\n");
    expect(readFileSync(join(dir, "src", "migrations.ts"), "utf8")).toContain('"0.1.0": ({ salutation');
    expect(readFileSync(join(dir, "test", "conformance.test.ts"), "utf8")).toContain("previousConfigs: [");
  });

  it("writes code on the 2.x contract: version and coreApi only in package.json", () => {
    const index = readFileSync(join(dir, "src", "index.ts"), "utf8");
    expect(index).toContain('name: "greeter"');
    expect(index).not.toMatch(/^\s*(version|coreApi):/m);
    expect(index).not.toContain('package.json" with');
    expect(index).toContain("// errors: { GREETING_REFUSED: { status: 422");
    const test = readFileSync(join(dir, "test", "conformance.test.ts"), "utf8");
    expect(test).toContain('testTemplateConformance(new URL("..", import.meta.url), {');
  });

  it("builds, passes its conformance tests, typechecks and is publint-clean with no edits", async () => {
    const build = await runScript(dir, "build");
    expect(build.code, build.output).toBe(0);
    const test = await runScript(dir, "test");
    expect(test.code, test.output).toBe(0);
    // 13 conformance checks (the migration check among them) and the 2 migration tests.
    expect(test.output).toMatch(/Tests\s+\S*\s*15 passed/);
    const typecheck = await runScript(dir, "typecheck");
    expect(typecheck.code, typecheck.output).toBe(0);
    const publint = await runShell(dir, "publint --strict --pack npm");
    expect(publint.code, publint.output).toBe(0);
    expect(publint.output).toContain("All good!");
  });

  it("passes `agentrt templates validate` with the config and input from its package.json", async () => {
    const validate = captureIo(root);
    expect(await runCli(["templates", "validate", "greeter"], validate)).toBe(0);
    expect(validate.out).toContain("✓ stops within 1000 ms when cancelled");
    expect(validate.out).toContain("✓ fills in defaults");
    expect(validate.out).toContain('✓ rejects invalid config #2 at ["uppercase"]');
    // The same check list as the package's own conformance test.
    expect(validate.out).toContain("✓ migrations carry older configs to one this version accepts");
    expect(validate.out).toContain("13 passed, 0 failed");
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
      ["new", "template", "@acme/template-weather", "--dir", "custom", "--core-version", "^2.1.0"],
      io,
    );
    expect(code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(root, "custom", "package.json"), "utf8"));
    expect(manifest.name).toBe("@acme/template-weather");
    expect(manifest.agentrt.coreApi).toBe("^2.0.0");
    expect(manifest.peerDependencies["@agentrt/core"]).toBe("^2.1.0");
    expect(manifest.devDependencies["@agentrt/core"]).toBe("^2.1.0");
    expect(manifest.devDependencies["@agentrt/testing"]).toBe("^2.1.0");
    expect(readFileSync(join(root, "custom", "src", "index.ts"), "utf8")).toContain('name: "weather"');
  });

  it("refuses a --core-version that excludes the contract the code is written for", async () => {
    const io = captureIo(root);
    expect(await runCli(["new", "template", "old", "--core-version", "^1.2.0"], io)).toBe(2);
    expect(io.err).toContain("--core-version ^1.2.0 excludes @agentrt/core ^2.0.0");
    const workspace = captureIo(root);
    expect(await runCli(["new", "template", "ws", "--core-version", "workspace:^"], workspace)).toBe(0);
    const manifest = JSON.parse(readFileSync(join(root, "ws", "package.json"), "utf8"));
    expect(manifest.peerDependencies["@agentrt/core"]).toBe("workspace:^");
  });

  it("links a local agentrt checkout's packages with --agentrt (link mode)", async () => {
    const io = captureIo(root);
    expect(await runCli(["new", "template", "linked", "--agentrt", workspaceDir], io)).toBe(0);
    expect(io.out).toContain(`linked to the agentrt checkout at ${workspaceDir}`);
    const manifest = JSON.parse(readFileSync(join(root, "linked", "package.json"), "utf8"));
    expect(manifest.devDependencies).toMatchObject({
      "@agentrt/core": `file:${join(workspaceDir, "packages", "core")}`,
      "@agentrt/testing": `file:${join(workspaceDir, "packages", "testing")}`,
      "@agentrt/cli": `file:${join(workspaceDir, "packages", "cli")}`,
    });
    // What hosts need stays a range: the package can still be published as is.
    expect(manifest.peerDependencies["@agentrt/core"]).toBe("^2.0.0");
  });

  it("refuses --agentrt pointing at something that is not a built agentrt checkout", async () => {
    const io = captureIo(root);
    expect(await runCli(["new", "template", "nolink", "--agentrt", root], io)).toBe(2);
    expect(io.err).toContain("is not an agentrt checkout (no packages/core/package.json)");
    const both = captureIo(root);
    expect(
      await runCli(["new", "template", "both", "--agentrt", workspaceDir, "--core-version", "^2.0.0"], both),
    ).toBe(2);
    expect(both.err).toContain("--agentrt and --core-version exclude each other");
  });

  it("rejects a name that is not a slug with a usage error", async () => {
    const io = captureIo(root);
    expect(await runCli(["new", "template", "Bad_Name"], io)).toBe(2);
    expect(io.err).toContain("is not a valid template name");
  });
});
