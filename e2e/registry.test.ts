// End to end through a real npm registry (verdaccio on 127.0.0.1, started by `pnpm registry` in
// global-setup.ts): agentrt's packages are published with the release flow, a template is scaffolded with `agentrt new template`, built and published,
// a fresh host app installs the server and the template from the registry, starts it, and runs an
// agent; an incompatible template is refused by `agentrt templates add` and, force-installed,
// rejected by the server with TEMPLATE_INCOMPATIBLE without being imported.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api as callApi, type Json } from "./lib/api.js";
import { run, runOk } from "./lib/run.js";
import { type ServerProcess, startServerProcess } from "./lib/server-process.js";

const root = resolve(import.meta.dirname, "..");
const ADMIN_KEY = "art_e2e-admin-key-0123456789abcdefghijklmnop";

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  agentrt?: { conformance?: { config?: unknown; input?: unknown } };
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

/** The workspace's publishable packages. */
function workspacePackages(): Manifest[] {
  return ["packages", "plugins", "apps"].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => join(root, group, name, "package.json"))
      .filter((file) => existsSync(file))
      .map((file) => readJson<Manifest>(file))
      .filter((m) => !m.private),
  );
}

let work: string;
const registry = inject("registry");
let env: NodeJS.ProcessEnv;
const servers: ServerProcess[] = [];

async function getJson(url: string): Promise<{ status: number; body: Json }> {
  // verdaccio may close idle keep-alive sockets between steps: retry once on a fresh connection.
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url);
      return { status: res.status, body: await res.json() };
    } catch (error) {
      if (attempt > 0) throw error;
    }
  }
}

const api = (server: ServerProcess, method: string, path: string, body?: unknown) =>
  callApi(server.url, ADMIN_KEY, method, path, body);

/** A child environment: this test's Node 24 first on PATH, npm pointed at verdaccio, no pnpm-run leftovers. */
function childEnv(npmrcFile: string): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(npm|pnpm)_(config|package|lifecycle)_/i.test(k)),
  );
  return {
    ...clean,
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    npm_config_registry: `${registry.url}/`,
    npm_config_userconfig: npmrcFile,
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "agentrt-e2e-"));
  const npmrcFile = join(work, "npmrc");
  writeFileSync(npmrcFile, registry.npmrc);
  env = childEnv(npmrcFile);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("publish and install through a local npm registry", () => {
  const hello = () => join(work, "hello");
  const host = () => join(work, "host");
  /** `npx agentrt-server` in the host app, run by this test's Node 24. */
  const startHostServer = () =>
    startServerProcess(join(host(), "node_modules/.bin/agentrt-server"), {
      cwd: host(),
      env: {
        ...env,
        AGENTRT_PORT: "0",
        AGENTRT_ADMIN_KEY: ADMIN_KEY,
        AGENTRT_LOG_LEVEL: "warn",
        AGENTRT_NPM_REGISTRY: registry.url,
        // verdaccio's search also asks npmjs.org; on a loaded machine that can take more than 5 s.
        AGENTRT_CATALOG_TIMEOUT_MS: "60000",
        E2E_IMPORT_MARKER: join(work, "marker"),
      },
    });

  it("`pnpm registry` published every @agentrt package with the release flow, with real semver ranges", async () => {
    for (const pkg of workspacePackages()) {
      const { status, body } = await getJson(`${registry.url}/${pkg.name.replace("/", "%2f")}`);
      expect(status, pkg.name).toBe(200);
      const published = body.versions[pkg.version] as Manifest;
      expect(published, `${pkg.name}@${pkg.version}`).toBeDefined();
      const ranges = { ...published.dependencies, ...published.peerDependencies };
      for (const [dep, range] of Object.entries(ranges)) {
        expect(range, `${pkg.name} → ${dep}`).not.toMatch(/^workspace:/);
      }
    }
    const server = (await getJson(`${registry.url}/@agentrt%2fserver`)).body.versions["1.0.0"] as Manifest;
    expect(server.dependencies?.["@agentrt/core"]).toBe("^2.0.0");
    expect(server.dependencies?.["@agentrt/runtime"]).toBe("^1.0.0");
  });

  it("scaffolds a template with `agentrt new template`, builds it and publishes it", async () => {
    const cli = join(root, "packages/cli/dist/bin.js");
    await runOk(process.execPath, [cli, "new", "template", "hello", "--dir", hello()], { cwd: work, env });
    const manifest = readJson<Manifest>(join(hello(), "package.json"));
    expect(manifest.name).toBe("agentrt-template-hello");
    await runOk("npm", ["install"], { cwd: hello(), env });
    await runOk("npm", ["run", "build"], { cwd: hello(), env });
    expect(existsSync(join(hello(), "dist/index.js"))).toBe(true);
    await runOk("npm", ["publish"], { cwd: hello(), env });
  });

  it("publishes a second template whose coreApi this core does not satisfy", async () => {
    const dir = join(work, "incompatible");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "agentrt-template-incompatible",
        version: "1.0.0",
        type: "module",
        keywords: ["agentrt-template"],
        agentrt: { template: "./index.js", coreApi: "^99.0.0" },
        exports: { ".": "./index.js", "./package.json": "./package.json" },
        // No peer on @agentrt/core@^99: npm could not resolve it, and this test wants npm to install
        // the package anyway, so that the server is the last line of defence.
      }),
    );
    // Importing it would leave a marker file: the server must refuse it before that.
    writeFileSync(
      join(dir, "index.js"),
      'import { writeFileSync } from "node:fs";\n' +
        'writeFileSync(process.env.E2E_IMPORT_MARKER ?? "imported.txt", "imported");\n' +
        "export default {};\n",
    );
    await runOk("npm", ["publish"], { cwd: dir, env });
  });

  it("installs the server and the template into a fresh host app, starts it and runs an agent", async () => {
    mkdirSync(host());
    writeFileSync(join(host(), ".npmrc"), `registry=${registry.url}/\n`);
    writeFileSync(join(host(), "package.json"), JSON.stringify({ name: "host-app", private: true }, null, 2));
    await runOk("npm", ["install", "@agentrt/server", "@agentrt/cli", "agentrt-template-hello"], {
      cwd: host(),
      env,
    });
    const server = await startHostServer();
    servers.push(server);

    const templates = await api(server, "GET", "/v1/templates");
    expect(templates.body.data.map((t: { name: string }) => t.name)).toContain("hello");
    const { conformance } = readJson<Manifest>(join(hello(), "package.json")).agentrt!;
    const agent = await api(server, "POST", "/v1/agents", {
      name: "greeter",
      template: "hello",
      config: conformance?.config ?? {},
    });
    expect(agent.status, JSON.stringify(agent.body)).toBe(201);
    const result = await api(server, "POST", "/v1/agents/greeter/runs", { input: { text: "registry" } });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body).toMatchObject({ status: "succeeded", output: "Hello, registry!" });
  });

  it("`agentrt templates add` refuses the incompatible template before installing anything", async () => {
    const before = readFileSync(join(host(), "package.json"), "utf8");
    const add = await run(
      process.execPath,
      [join(host(), "node_modules/.bin/agentrt"), "templates", "add", "agentrt-template-incompatible"],
      { cwd: host(), env },
    );
    expect(add.code).toBe(1);
    expect(add.stderr).toContain("TEMPLATE_INCOMPATIBLE");
    expect(add.stderr).toContain("^99.0.0");
    expect(readFileSync(join(host(), "package.json"), "utf8")).toBe(before);
    expect(existsSync(join(host(), "node_modules/agentrt-template-incompatible"))).toBe(false);
  });

  it("`agentrt templates add` reads a private scope with the registry token from .npmrc", async () => {
    // `@private/*` needs a logged-in user even to read (scripts/registry/verdaccio.yaml).
    const dir = join(work, "secret");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "@private/agentrt-template-secret",
        version: "1.0.0",
        type: "module",
        // No "agentrt-template" keyword (the "agentrt" field makes it a template): the catalog test
        // below searches that keyword, and this package is not for everyone to read.
        agentrt: { template: "./index.js", coreApi: "^2.0.0" },
        publishConfig: { access: "restricted" },
      }),
    );
    writeFileSync(join(dir, "index.js"), "export default {};\n");
    await runOk("npm", ["publish"], { cwd: dir, env });
    const agentrt = join(host(), "node_modules/.bin/agentrt");
    const args = [agentrt, "templates", "add", "@private/agentrt-template-secret", "--dry-run"];
    // Without a token for the registry: refused, and told what to add.
    const tokenless = join(work, "npmrc-tokenless");
    writeFileSync(tokenless, `registry=${registry.url}/\n`);
    const denied = await run(process.execPath, args, {
      cwd: host(),
      env: { ...env, npm_config_userconfig: tokenless },
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("UPSTREAM_ERROR");
    expect(denied.stderr).toContain("add its token to .npmrc");
    // With the token line `pnpm registry` printed (the user .npmrc of this test's env).
    const allowed = await run(process.execPath, args, { cwd: host(), env });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain("@private/agentrt-template-secret@1.0.0 is a compatible template");
  });

  it("rejects the force-installed incompatible template with TEMPLATE_INCOMPATIBLE, without importing it", async () => {
    // Straight through npm, past `agentrt templates add`.
    await runOk("npm", ["install", "agentrt-template-incompatible"], { cwd: host(), env });
    await servers.pop()!.stop();
    const server = await startHostServer();
    servers.push(server);
    const { body } = await api(server, "GET", "/v1/templates");
    expect(body.data.map((t: { name: string }) => t.name)).toContain("hello");
    const rejected = body.rejected.find(
      (r: { packageName: string }) => r.packageName === "agentrt-template-incompatible",
    );
    expect(rejected).toMatchObject({ code: "TEMPLATE_INCOMPATIBLE", packageVersion: "1.0.0" });
    expect(existsSync(join(work, "marker"))).toBe(false);
    // The catalog searches the same registry and tells the two apart.
    const catalog = await api(server, "GET", "/v1/templates/catalog");
    expect(catalog.status, JSON.stringify(catalog.body)).toBe(200);
    const byName = Object.fromEntries(
      catalog.body.data.map((e: { packageName: string }) => [e.packageName, e]),
    );
    expect(byName["agentrt-template-hello"]).toMatchObject({
      version: "0.1.0",
      compatible: true,
      installedVersions: ["0.1.0"],
    });
    expect(byName["agentrt-template-incompatible"]).toMatchObject({
      compatible: false,
      code: "TEMPLATE_INCOMPATIBLE",
      coreApi: "^99.0.0",
    });
    // The agent made before the restart still runs.
    const again = await api(server, "POST", "/v1/agents/greeter/runs", { input: { text: "again" } });
    expect(again.body.output).toBe("Hello, again!");
  });
});
