// docs/authoring-templates.md, followed step by step by a template author and an operator, in
// temp dirs outside the monorepo, against the local registry `pnpm registry` started (global-setup):
// the registry lines go into ~/.npmrc as the guide says; then only documented commands. Prints the
// wall time of the author's part (target < 120 s; reported, not asserted).
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api as callApi, type Json } from "./lib/api.js";
import { runOk } from "./lib/run.js";
import { type ServerProcess, startServerProcess } from "./lib/server-process.js";

const registry = inject("registry");
const checkout = resolve(import.meta.dirname, "..");
const ADMIN_KEY = "art_guide-admin-key-0123456789abcdefghijklm";

let work: string;
let env: NodeJS.ProcessEnv;
const servers: ServerProcess[] = [];
const timings: Record<string, number> = {};

/** Runs `fn`, adding its wall time to `timings[label]`. */
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings[label] = (timings[label] ?? 0) + (performance.now() - started) / 1000;
  }
}

const author = () => join(work, "weather");
const host = () => join(work, "host");
const sh = (cwd: string, command: string, ...args: string[]) => runOk(command, args, { cwd, env });

/** An editor's atomic save: write a temp file, rename it over the original. */
function atomicSave(file: string, edit: (source: string) => string): void {
  const next = edit(readFileSync(file, "utf8"));
  const temp = join(dirname(file), `.${process.pid}.swp`);
  writeFileSync(temp, next);
  renameSync(temp, file);
}

/** Runs the agent until its output is `expected` (a reload takes a moment; the test timeout bounds it). */
async function runUntil(server: ServerProcess, agent: string, text: string, expected: string): Promise<Json> {
  for (;;) {
    const result = await callApi(server.url, ADMIN_KEY, "POST", `/v1/agents/${agent}/runs`, {
      input: { text },
    });
    if (result.body.output === expected) return result.body;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "agentrt-guide-"));
  // The author's machine: a home whose ~/.npmrc holds the lines `pnpm registry` printed, Node 24
  // first on PATH, npm's own download cache kept (only the registry's answers matter here).
  const home = join(work, "home");
  mkdirSync(home);
  writeFileSync(join(home, ".npmrc"), registry.npmrc);
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(npm|pnpm)_(config|package|lifecycle)_/i.test(k)),
  );
  env = {
    ...clean,
    HOME: home,
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    npm_config_cache: process.env.npm_config_cache ?? join(homedir(), ".npm"),
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
    // Plain output, so the test can read vitest's summary.
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    AGENTRT_ADMIN_KEY: ADMIN_KEY,
    AGENTRT_PORT: "0",
    AGENTRT_LOG_LEVEL: "warn",
  };
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  const total = (timings.author ?? 0) + (timings["author v2"] ?? 0);
  console.log(
    `guide e2e wall time: author's part ${total.toFixed(1)} s (target < 120 s; scaffold → published v1 ` +
      `${(timings.author ?? 0).toFixed(1)} s, v2 with a migration ${(timings["author v2"] ?? 0).toFixed(1)} s); ` +
      `operator ${(timings.operator ?? 0).toFixed(1)} s`,
  );
  if (work) rmSync(work, { recursive: true, force: true });
});

// Installs on a cold registry cache (a first run) take minutes on a loaded machine.
describe("docs/authoring-templates.md, step by step", { timeout: 600_000 }, () => {
  it("1–3. scaffolds with npx @agentrt/cli, installs, builds and tests", async () => {
    await timed("author", async () => {
      await sh(work, "npx", "-y", "@agentrt/cli", "new", "template", "weather");
      const install = await sh(author(), "npm", "install");
      // Quiet: esbuild's install script is allowed up front.
      expect(install.stderr).not.toContain("install-scripts");
      const test = await sh(author(), "npm", "test");
      expect(test.stdout).toMatch(/Tests\s+\S*\s*15 passed/);
      await sh(author(), "npx", "agentrt", "templates", "validate", ".");
    });
  });

  it("4. develops against `npx agentrt dev --watch .`: an atomic save is served without a restart", async () => {
    await timed("author", async () => {
      const dev = await startServerProcess(join(author(), "node_modules/.bin/agentrt"), {
        cwd: author(),
        env,
        args: ["dev", "--watch", "."],
      });
      servers.push(dev);
      const created = await callApi(dev.url, ADMIN_KEY, "POST", "/v1/agents", {
        name: "dev",
        template: "weather",
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      await runUntil(dev, "dev", "dev", "Hello, dev!");
      const agentFile = join(author(), "src/agent.ts");
      atomicSave(agentFile, (s) => s.replace('text + "!"', 'text + "!!"'));
      await runUntil(dev, "dev", "dev", "Hello, dev!!");
      atomicSave(agentFile, (s) => s.replace('text + "!!"', 'text + "!"'));
      await runUntil(dev, "dev", "dev", "Hello, dev!");
      await servers.pop()!.stop();
    });
  });

  it("6. publishes v1 (prepublishOnly builds and runs publint)", async () => {
    await timed("author", async () => {
      const publish = await sh(author(), "npm", "publish");
      expect(publish.stdout + publish.stderr).toContain("agentrt-template-weather@0.1.0");
    });
  });

  it("6. the operator installs server + template in a fresh host app, creates and runs an agent", async () => {
    await timed("operator", async () => {
      mkdirSync(host());
      await sh(host(), "npm", "init", "-y");
      await sh(host(), "npm", "install", "@agentrt/server", "@agentrt/cli");
      const add = await sh(host(), "npx", "agentrt", "templates", "add", "agentrt-template-weather");
      expect(add.stdout).toContain("agentrt-template-weather@0.1.0 is a compatible template");
      const server = await startServerProcess(join(host(), "node_modules/.bin/agentrt-server"), {
        cwd: host(),
        env,
      });
      servers.push(server);
      const agent = await callApi(server.url, ADMIN_KEY, "POST", "/v1/agents", {
        name: "greeter",
        template: "weather",
        config: { greeting: "Hi", uppercase: true },
      });
      expect(agent.status, JSON.stringify(agent.body)).toBe(201);
      const run = await callApi(server.url, ADMIN_KEY, "POST", "/v1/agents/greeter/runs", {
        input: { text: "registry" },
      });
      expect(run.body).toMatchObject({ status: "succeeded", output: "HI, REGISTRY!" });
    });
  });

  it("5. v2: a config change with a migration and its sample, tested and published as a major", async () => {
    await timed("author v2", async () => {
      // `uppercase: boolean` becomes `style`; stored configs say what they meant through a migration.
      atomicSave(join(author(), "src/schema.ts"), (s) =>
        s.replace(
          'uppercase: z.boolean().default(false).describe("Shout the reply"),',
          'style: z.enum(["plain", "shout"]).default("plain").describe("How to say it"),',
        ),
      );
      atomicSave(join(author(), "src/agent.ts"), (s) =>
        s.replace("config.uppercase ? reply.toUpperCase()", 'config.style === "shout" ? reply.toUpperCase()'),
      );
      atomicSave(join(author(), "src/migrations.ts"), (s) =>
        s.replace(
          "};\n",
          '  "1.0.0": ({ uppercase, ...rest }) =>\n' +
            '    uppercase === undefined ? rest : { ...rest, style: uppercase ? "shout" : "plain" },\n};\n',
        ),
      );
      const v1Sample = { version: "0.1.0", config: { greeting: "Hi", uppercase: true } };
      atomicSave(join(author(), "test/conformance.test.ts"), (s) =>
        s
          .replace("uppercase: false }", 'style: "plain" }')
          .replace(
            '{ config: { uppercase: "yes" }, path: ["uppercase"] }',
            '{ config: { style: "loud" }, path: ["style"] }',
          )
          .replace("previousConfigs: [", `previousConfigs: [${JSON.stringify(v1Sample)}, `),
      );
      atomicSave(join(author(), "test/migrations.test.ts"), (s) =>
        s
          .replace("uppercase: true });\n  });", 'style: "shout" });\n  });')
          .replace(
            "await validateConfig(template, migrated)",
            'await validateConfig(template, migrations["1.0.0"]!(migrated))',
          ),
      );
      const manifestFile = join(author(), "package.json");
      const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
      const conformance = manifest.agentrt.conformance;
      conformance.expectedDefaults = { greeting: "Hello", style: "plain" };
      conformance.invalidConfigs[1] = { config: { style: "loud" }, path: ["style"] };
      conformance.previousConfigs.unshift(v1Sample);
      writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);

      await sh(author(), "npm", "version", "major");
      await sh(author(), "npm", "test");
      await sh(author(), "npx", "agentrt", "templates", "validate", ".");
      await sh(author(), "npm", "publish");
    });
  });

  it("6. the operator adds v2 next to v1 (npm alias), upgrades with a dry run and for real, and rolls back", async () => {
    await timed("operator", async () => {
      const add = await sh(
        host(),
        "npx",
        "agentrt",
        "templates",
        "add",
        "weather-v1@npm:agentrt-template-weather@^1",
      );
      expect(add.stdout).toContain("Added weather-v1 (agentrt-template-weather@1.0.0)");
      await servers.pop()!.stop();
      const server = await startServerProcess(join(host(), "node_modules/.bin/agentrt-server"), {
        cwd: host(),
        env,
      });
      servers.push(server);
      const call = (method: string, path: string, body?: unknown) =>
        callApi(server.url, ADMIN_KEY, method, path, body);

      const dry = await call("POST", "/v1/agents/greeter/upgrade", { to: "^1", dryRun: true });
      expect(dry.status, JSON.stringify(dry.body)).toBe(200);
      expect(dry.body).toMatchObject({
        dryRun: true,
        from: "0.1.0",
        to: "1.0.0",
        appliedMigrations: ["1.0.0"],
        valid: true,
        config: { greeting: "Hi", style: "shout" },
      });
      expect((await call("GET", "/v1/agents/greeter")).body.template.version).toBe("0.1.0");

      const upgraded = await call("POST", "/v1/agents/greeter/upgrade", { to: "^1" });
      expect(upgraded.status, JSON.stringify(upgraded.body)).toBe(200);
      const agent = (await call("GET", "/v1/agents/greeter")).body;
      expect(agent).toMatchObject({
        template: { version: "1.0.0", range: "^1" },
        config: { greeting: "Hi", style: "shout" },
      });
      const run = await call("POST", "/v1/agents/greeter/runs", { input: { text: "v2" } });
      expect(run.body).toMatchObject({ status: "succeeded", output: "HI, V2!" });

      const rolledBack = await call("POST", "/v1/agents/greeter/rollback", { revision: 1 });
      expect(rolledBack.status, JSON.stringify(rolledBack.body)).toBe(200);
      expect(rolledBack.body).toMatchObject({
        template: { version: "0.1.0" },
        config: { greeting: "Hi", uppercase: true },
      });
      expect(rolledBack.body.revision).toBeGreaterThan(agent.revision);
      const again = await call("POST", "/v1/agents/greeter/runs", { input: { text: "v1" } });
      expect(again.body).toMatchObject({ status: "succeeded", output: "HI, V1!" });
    });
  });

  it("link mode: `--agentrt <checkout>` builds and tests against this checkout, no @agentrt/* from a registry", async () => {
    const cli = join(checkout, "packages/cli/dist/bin.js");
    await runOk(process.execPath, [cli, "new", "template", "linked", "--agentrt", checkout], {
      cwd: work,
      env,
    });
    const dir = join(work, "linked");
    await sh(dir, "npm", "install");
    for (const name of ["core", "testing", "cli"]) {
      expect(realpathSync(join(dir, "node_modules/@agentrt", name))).toBe(
        realpathSync(join(checkout, "packages", name)),
      );
    }
    const test = await sh(dir, "npm", "test");
    expect(test.stdout).toMatch(/Tests\s+\S*\s*15 passed/);
  });
});
