import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CORE_API_VERSION } from "@agentrt/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { captureIo } from "./capture-io.js";
import { type StaticRegistry, startStaticRegistry } from "./static-registry.js";
import { workspaceDir } from "./workspace-deps.js";

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

const npmQuiet = { npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
const hostManifest = () => readFileSync(join(host, "package.json"), "utf8");
const add = async (args: string[], env: Record<string, string> = {}) => {
  const io = captureIo(host, env);
  const code = await runCli(["templates", "add", ...args], io);
  return { code, out: io.out, err: io.err };
};

describe("agentrt templates add", () => {
  it("picks the highest version this core supports when the latest does not, and says so", async () => {
    const result = await add(["agentrt-template-hello", "--registry", registry.url, "--dry-run"]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(
      "agentrt-template-hello@2.0.0 does not fit this host: agentrt-template-hello@2.0.0 requires @agentrt/core API ^3.0.0",
    );
    expect(result.out).toContain(
      `Picking 1.1.0, the highest version that supports core API ${CORE_API_VERSION}`,
    );
    expect(result.out).toContain("agentrt-template-hello@1.1.0 is a compatible template");
    // A dist-tag names one version: no other is picked for it.
    const tagged = await add(["agentrt-template-hello@latest", "--registry", registry.url, "--dry-run"]);
    expect(tagged.code).toBe(1);
    expect(tagged.err).toContain("TEMPLATE_INCOMPATIBLE: agentrt-template-hello@2.0.0 requires");
  });

  it("checks against the core API of the host's installed @agentrt/server, naming where it came from", async () => {
    // A host whose server (and so its core) is installed: the server's own @agentrt/core decides.
    const link = (name: string, target: string) => {
      mkdirSync(dirname(join(host, "node_modules", name)), { recursive: true });
      symlinkSync(target, join(host, "node_modules", name), "dir");
    };
    link("@agentrt/server", join(workspaceDir, "apps", "server"));
    const result = await add(["agentrt-template-hello@^1", "--registry", registry.url, "--dry-run"]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(`this host's core API is ${CORE_API_VERSION}`);
    const picked = await add(["agentrt-template-hello", "--registry", registry.url, "--dry-run"]);
    expect(picked.out).toContain(`core API ${CORE_API_VERSION} (from the host's @agentrt/server)`);
  });

  it("refuses a template no version of which this core supports, before installing anything", async () => {
    const before = hostManifest();
    const result = await add(["agentrt-template-hello@>=2", "--registry", registry.url, "--pm", "npm"]);
    expect(result.code).toBe(1);
    expect(result.err).toContain("TEMPLATE_INCOMPATIBLE");
    expect(result.err).toContain("agentrt-template-hello@2.0.0 requires @agentrt/core API ^3.0.0");
    expect(result.err).toContain(
      `provides ${CORE_API_VERSION}, and no other version matching >=2 supports it`,
    );
    // What to do, after the code.
    expect(result.err).toContain('→ pick a version whose "agentrt.coreApi" includes this core API');
    expect(hostManifest()).toBe(before);
    expect(existsSync(join(host, "node_modules"))).toBe(false);
    expect(registry.requests).toEqual(["/agentrt-template-hello"]);
    const legacy = await add(["agentrt-template-legacy", "--registry", registry.url]);
    expect(legacy.code).toBe(1);
    expect(legacy.err).toContain(
      `TEMPLATE_INCOMPATIBLE: agentrt-template-legacy@1.4.0 requires @agentrt/core API ^1.0.0, but this server provides ${CORE_API_VERSION}, and no other version supports it`,
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
    const result = await add(
      ["agentrt-template-hello@^1", "--registry", registry.url, "--pm", "npm"],
      npmQuiet,
    );
    expect(result.code, result.err).toBe(0);
    expect(JSON.parse(hostManifest()).dependencies).toEqual({ "agentrt-template-hello": "^1.1.0" });
    const installed = JSON.parse(
      readFileSync(join(host, "node_modules", "agentrt-template-hello", "package.json"), "utf8"),
    );
    expect(installed.version).toBe("1.1.0");
    rmSync(host, { recursive: true, force: true });
  });

  it("installs under an npm alias, after the same compatibility check", async () => {
    const refused = await add(["hello-v2@npm:agentrt-template-hello@^2", "--registry", registry.url]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("TEMPLATE_INCOMPATIBLE: agentrt-template-hello@2.0.0 requires");
    const result = await add(
      ["hello-v1@npm:agentrt-template-hello@^1", "--registry", registry.url, "--pm", "npm"],
      npmQuiet,
    );
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain("Added hello-v1 (agentrt-template-hello@1.1.0)");
    expect(JSON.parse(hostManifest()).dependencies).toEqual({
      "hello-v1": "npm:agentrt-template-hello@^1.1.0",
    });
    const installed = JSON.parse(
      readFileSync(join(host, "node_modules", "hello-v1", "package.json"), "utf8"),
    );
    expect(installed).toMatchObject({ name: "agentrt-template-hello", version: "1.1.0" });
  });

  it("sends the .npmrc token of a private registry, and says what to do without one", async () => {
    const token = "s3cret-token";
    const privateRegistry = await startStaticRegistry(
      [template("@private/agentrt-template-secret", "1.0.0", "^2.0.0")],
      token,
    );
    try {
      writeFileSync(join(host, ".npmrc"), `@private:registry=${privateRegistry.url}/\n`);
      const denied = await add(["@private/agentrt-template-secret", "--dry-run"]);
      expect(denied.code).toBe(1);
      expect(denied.err).toContain("UPSTREAM_ERROR");
      expect(denied.err).toContain(
        `refused to show @private/agentrt-template-secret (401): add its token to .npmrc: //${new URL(privateRegistry.url).host}/:_authToken=<token>`,
      );
      // The token as people keep it: in the environment, referenced from .npmrc.
      const host_ = new URL(privateRegistry.url).host;
      writeFileSync(
        join(host, ".npmrc"),
        `@private:registry=${privateRegistry.url}/\n//${host_}/:_authToken=\${PRIVATE_TOKEN}\n`,
      );
      const wrong = await add(["@private/agentrt-template-secret", "--dry-run"], { PRIVATE_TOKEN: "nope" });
      expect(wrong.err).toContain("the token in .npmrc for it is not accepted");
      const result = await add(["@private/agentrt-template-secret", "--pm", "npm"], {
        ...npmQuiet,
        PRIVATE_TOKEN: token,
      });
      expect(result.code, result.err).toBe(0);
      expect(
        existsSync(join(host, "node_modules", "@private", "agentrt-template-secret", "package.json")),
      ).toBe(true);
    } finally {
      await privateRegistry.close();
    }
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
