import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { captureIo } from "./capture-io.js";
import { type StaticRegistry, startStaticRegistry } from "./static-registry.js";

const template = (name: string, version: string, coreApi: string) => ({
  manifest: {
    name,
    version,
    type: "module",
    keywords: ["agentrt-template"],
    agentrt: { template: "./index.js", coreApi },
    exports: { ".": "./index.js", "./package.json": "./package.json" },
  },
  files: { "index.js": "export default {};\n" },
});

let registry: StaticRegistry;
let host: string;

beforeAll(async () => {
  registry = await startStaticRegistry([
    template("agentrt-template-hello", "1.0.0", "^2.0.0"),
    template("agentrt-template-hello", "1.1.0", "^2.0.0"),
    // The newest (latest-tagged) version needs a core API this core does not provide.
    template("agentrt-template-hello", "2.0.0", "^3.0.0"),
    template("@acme/agentrt-template-scoped", "0.3.0", ">=2.0.0"),
    // Written for the previous contract (core API 1).
    template("agentrt-template-legacy", "1.4.0", "^1.0.0"),
    template("agentrt-template-badrange", "1.0.0", "not a range"),
    { manifest: { name: "plain-lib", version: "1.0.0" } },
    { manifest: { name: "tagged-no-entry", version: "1.0.0", keywords: ["agentrt-template"] } },
  ]);
});
afterAll(() => registry.close());

beforeEach(() => {
  host = mkdtempSync(join(tmpdir(), "agentrt-add-host-"));
  writeFileSync(
    join(host, "package.json"),
    JSON.stringify({ name: "host", version: "1.0.0", private: true }),
  );
  registry.requests.length = 0;
});

const hostManifest = () => readFileSync(join(host, "package.json"), "utf8");
const add = async (args: string[], env: Record<string, string> = {}) => {
  const io = captureIo(host, env);
  const code = await runCli(["templates", "add", ...args], io);
  return { code, out: io.out, err: io.err };
};

describe("agentrt templates add", () => {
  it("refuses a template whose coreApi this core does not satisfy, before installing anything", async () => {
    const before = hostManifest();
    const result = await add(["agentrt-template-hello", "--registry", registry.url, "--pm", "npm"]);
    expect(result.code).toBe(1);
    expect(result.err).toContain("TEMPLATE_INCOMPATIBLE");
    expect(result.err).toContain("agentrt-template-hello@2.0.0 requires @agentrt/core API ^3.0.0");
    expect(result.err).toContain("provides 2.0.0");
    expect(hostManifest()).toBe(before);
    expect(existsSync(join(host, "node_modules"))).toBe(false);
    expect(registry.requests).toEqual(["/agentrt-template-hello"]);
    const legacy = await add(["agentrt-template-legacy", "--registry", registry.url]);
    expect(legacy.code).toBe(1);
    expect(legacy.err).toContain(
      "TEMPLATE_INCOMPATIBLE: agentrt-template-legacy@1.4.0 requires @agentrt/core API ^1.0.0, but this server provides 2.0.0",
    );
  });

  it("refuses a package that is not a template with TEMPLATE_INVALID", async () => {
    const plain = await add(["plain-lib", "--registry", registry.url]);
    expect(plain.code).toBe(1);
    expect(plain.err).toContain("TEMPLATE_INVALID: plain-lib@1.0.0 is not an agentrt template");
    const noEntry = await add(["tagged-no-entry", "--registry", registry.url]);
    expect(noEntry.err).toContain(
      'TEMPLATE_INVALID: tagged-no-entry@1.0.0 is tagged "agentrt-template" but its package.json lacks "agentrt.template"',
    );
    const badRange = await add(["agentrt-template-badrange", "--registry", registry.url]);
    expect(badRange.err).toContain("TEMPLATE_INVALID");
    expect(badRange.err).toContain("not a valid semver range");
  });

  it("reports unknown packages and versions with their codes", async () => {
    const missing = await add(["agentrt-template-nope", "--registry", registry.url]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("TEMPLATE_NOT_FOUND");
    const noVersion = await add(["agentrt-template-hello@^7", "--registry", registry.url]);
    expect(noVersion.err).toContain("TEMPLATE_VERSION_NOT_FOUND");
    expect(noVersion.err).toContain("1.0.0, 1.1.0, 2.0.0");
  });

  it("checks the highest version in a range; --dry-run installs nothing", async () => {
    const result = await add(["agentrt-template-hello@^1", "--registry", registry.url, "--dry-run"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("agentrt-template-hello@1.1.0 is a compatible template");
    expect(existsSync(join(host, "node_modules"))).toBe(false);
  });

  it("reads the registry from npm_config_registry and from the project .npmrc; escapes scoped names", async () => {
    const fromEnv = await add(["@acme/agentrt-template-scoped", "--dry-run"], {
      npm_config_registry: registry.url,
    });
    expect(fromEnv.code, fromEnv.err).toBe(0);
    expect(registry.requests).toEqual(["/@acme/agentrt-template-scoped"]);
    writeFileSync(join(host, ".npmrc"), `registry=${registry.url}/\n`);
    const fromNpmrc = await add(["agentrt-template-hello@1.0.0", "--dry-run"]);
    expect(fromNpmrc.out).toContain("agentrt-template-hello@1.0.0 is a compatible template");
  });

  it("installs a compatible version with the package manager as a dependency of the host app", async () => {
    const result = await add(["agentrt-template-hello@^1", "--registry", registry.url, "--pm", "npm"], {
      npm_config_audit: "false",
      npm_config_fund: "false",
      npm_config_update_notifier: "false",
    });
    expect(result.code, result.err).toBe(0);
    expect(JSON.parse(hostManifest()).dependencies).toEqual({ "agentrt-template-hello": "^1.1.0" });
    const installed = JSON.parse(
      readFileSync(join(host, "node_modules", "agentrt-template-hello", "package.json"), "utf8"),
    );
    expect(installed.version).toBe("1.1.0");
    rmSync(host, { recursive: true, force: true });
  });

  it("fails with exit code 1 when the package manager cannot run", async () => {
    const result = await add(["agentrt-template-hello@^1", "--registry", registry.url, "--pm", "yarn"], {
      PATH: "/nonexistent",
    });
    expect(result.code).toBe(1);
    expect(result.err).toContain("cannot run yarn");
  });

  it("rejects an unknown --pm and a malformed package name as usage errors", async () => {
    expect((await add(["x", "--pm", "bun"])).code).toBe(2);
    expect((await add(["Not A Name"])).code).toBe(2);
  });
});
