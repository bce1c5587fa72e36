import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Logger } from "@agentrt/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../src/env.js";
import { runServer } from "../src/run-server.js";
import type { RunningServer } from "../src/server.js";
import { serverDir } from "./helpers.js";

// A template package under development: src/ only, no build. Its reply lives in src/reply.ts,
// which the test edits while the server runs. A run with `gate` waits until that file exists, so
// a run can be held in flight across a reload without timing assumptions.
const root = mkdtempSync(join(tmpdir(), "agentrt-hot-"));
const pkg = join(root, "hot-template");
const gate = join(root, "gate");

function writeTemplatePackage(): void {
  mkdirSync(join(pkg, "src"), { recursive: true });
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({
      name: "agentrt-template-hot",
      version: "1.0.0",
      type: "module",
      keywords: ["agentrt-template"],
      agentrt: { template: "./dist/index.js", coreApi: "^2.0.0" },
    }),
  );
  writeFileSync(
    join(pkg, "src", "index.ts"),
    `import { existsSync } from "node:fs";
import { defineTemplate } from "@agentrt/core";
import { z } from "zod";
import { REPLY } from "./reply.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

export default defineTemplate({
  name: "hot",
  configSchema: z.object({}),
  create: () => ({
    async *run(input: { gate?: string } | undefined, ctx) {
      while (input?.gate && !existsSync(input.gate)) {
        ctx.signal.throwIfAborted();
        await tick();
      }
      yield { type: "output", output: REPLY };
    },
  }),
});
`,
  );
  writeReply('export const REPLY: string = "v1";');
  // The package's dependencies, as an install would link them.
  const require = createRequire(join(serverDir, "package.json"));
  for (const dep of ["@agentrt/core", "zod"]) {
    const link = join(pkg, "node_modules", dep);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(dirname(require.resolve(`${dep}/package.json`))), link, "dir");
  }
}

function writeReply(source: string): void {
  writeFileSync(join(pkg, "src", "reply.ts"), `${source}\n`);
}

/** A logger that records messages, so the test can wait for the reload it caused. */
function createRecordingLogger() {
  const messages: string[] = [];
  const data = new Map<string, Record<string, unknown> | undefined>();
  const waiters: { message: string; count: number; resolve: () => void }[] = [];
  const record = (message: string, fields?: Record<string, unknown>) => {
    messages.push(message);
    data.set(message, fields);
    for (const w of [...waiters]) {
      if (messages.filter((m) => m === message).length >= w.count && w.message === message) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const logger: Logger = { debug: record, info: record, warn: record, error: record };
  return {
    logger,
    count: (message: string) => messages.filter((m) => m === message).length,
    /** The fields logged with the latest `message`. */
    latest: (message: string) => data.get(message),
    /** Resolves once `message` has been logged `count` times in total. */
    waitFor: (message: string, count: number) =>
      new Promise<void>((resolve) => {
        if (messages.filter((m) => m === message).length >= count) resolve();
        else waiters.push({ message, count, resolve });
      }),
  };
}

const log = createRecordingLogger();
let server: RunningServer;
let adminKey: string;
let banner = "";

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}
const runOnce = async (input: unknown = {}) =>
  (await call("POST", "/v1/agents/hot-agent/runs", { input, mode: "sync" })).body;

/** Changes src/reply.ts and waits until the server logged the rebuild's outcome. */
async function edit(source: string, outcome: "template reloaded" | "template reload failed") {
  const before = log.count(outcome);
  writeReply(source);
  await log.waitFor(outcome, before + 1);
}

beforeAll(async () => {
  writeTemplatePackage();
  const host = join(root, "host");
  mkdirSync(host);
  writeFileSync(join(host, "package.json"), JSON.stringify({ name: "host", private: true }));
  server = await runServer(
    parseEnv({
      AGENTRT_PORT: "0",
      AGENTRT_DATA_DIR: join(root, "data"),
      AGENTRT_HOST_DIR: host,
    }),
    // The folder holding the package: watch dirs may be folders of packages (host/ has no src/).
    {
      logger: log.logger,
      watch: [root],
      write: (text) => {
        banner += text;
      },
      handleSignals: false,
    },
  );
  adminKey = server.generatedAdminKey!;
  expect((await call("POST", "/v1/agents", { name: "hot-agent", template: "hot" })).status).toBe(201);
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** Saves src/reply.ts the way atomic-save editors do: a temp file renamed over the original. */
function renameSaveReply(source: string): void {
  const temp = join(pkg, "src", `.reply.ts.${process.pid}.tmp`);
  writeFileSync(temp, `${source}\n`);
  renameSync(temp, join(pkg, "src", "reply.ts"));
}

describe("hot reload (agentrt dev)", () => {
  it("serves a watched template built from its sources at start-up", async () => {
    expect(banner).toContain(
      `agentrt generated an admin API key (shown only this once, store it now):\n\n  ${adminKey}`,
    );
    expect(banner).toContain(`agentrt listening on ${server.url}`);
    const templates = await call("GET", "/v1/templates");
    expect(templates.body.data.map((t: { name: string }) => t.name)).toContain("hot");
    expect(templates.body.rejected).toEqual([]);
    expect(await runOnce()).toMatchObject({ status: "succeeded", output: "v1" });
  });

  it("runs new code after an edit without a restart, while an in-flight run finishes on the old code", async () => {
    const inFlight = await call("POST", "/v1/agents/hot-agent/runs", { input: { gate }, mode: "background" });
    expect(inFlight.status).toBe(202);
    await edit('export const REPLY: string = "v2";', "template reloaded");
    expect(await runOnce()).toMatchObject({ status: "succeeded", output: "v2" });

    writeFileSync(gate, "");
    const events = await fetch(`${server.url}/v1/runs/${inFlight.body.id}/events`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    await events.text(); // the stream ends with the run
    expect((await call("GET", `/v1/runs/${inFlight.body.id}`)).body).toMatchObject({
      status: "succeeded",
      output: "v1",
    });
  });

  it("keeps the previous build serving after a syntax error and reports it in GET /v1/templates", async () => {
    await edit("export const REPLY: string = ;", "template reload failed");
    const templates = await call("GET", "/v1/templates");
    expect(templates.body.rejected).toEqual([
      expect.objectContaining({
        packageName: "agentrt-template-hot",
        code: "TEMPLATE_INVALID",
        message: expect.stringContaining("the previous build of hot@1.0.0 is still serving"),
      }),
    ]);
    expect(templates.body.rejected[0].message).toContain("reply.ts");
    // On the terminal at once: the error log line names the file, line and column.
    expect(log.latest("template reload failed")).toMatchObject({
      package: "agentrt-template-hot",
      code: "TEMPLATE_INVALID",
      reason: expect.stringMatching(/reply\.ts:1:\d+: ERROR/),
    });
    expect(await runOnce()).toMatchObject({ status: "succeeded", output: "v2" });
  });

  it("keeps serving when the new code is not a valid template, then recovers on the next good edit", async () => {
    await edit(
      'export const REPLY: string = (() => { throw new Error("boom at import"); })();',
      "template reload failed",
    );
    const rejected = (await call("GET", "/v1/templates")).body.rejected;
    expect(rejected[0].message).toContain("boom at import");
    expect(await runOnce()).toMatchObject({ output: "v2" });

    await edit('export const REPLY: string = "v3";', "template reloaded");
    expect((await call("GET", "/v1/templates")).body.rejected).toEqual([]);
    expect(await runOnce()).toMatchObject({ status: "succeeded", output: "v3" });
    expect(existsSync(join(pkg, "dist"))).toBe(false);
  });

  it("sees a new file: a missing import fails the build, creating the file fixes it", async () => {
    await edit('export { REPLY } from "./later.js";', "template reload failed");
    expect(log.latest("template reload failed")?.reason).toContain("later.js");
    const before = log.count("template reloaded");
    writeFileSync(join(pkg, "src", "later.ts"), 'export const REPLY: string = "from a new file";\n');
    await log.waitFor("template reloaded", before + 1);
    expect(await runOnce()).toMatchObject({ status: "succeeded", output: "from a new file" });
  });

  it("names the stored agents a config-schema change no longer accepts", async () => {
    const index = join(pkg, "src", "index.ts");
    const before = log.count("stored agents no longer match the template's config schema");
    writeFileSync(
      index,
      readFileSync(index, "utf8").replace("z.object({})", "z.object({ mode: z.string() })"),
    );
    await log.waitFor("stored agents no longer match the template's config schema", before + 1);
    expect(log.latest("stored agents no longer match the template's config schema")).toEqual({
      template: "hot@1.0.0",
      agents: ["hot-agent"],
    });
    writeFileSync(
      index,
      readFileSync(index, "utf8").replace("z.object({ mode: z.string() })", "z.object({})"),
    );
    await log.waitFor("template reloaded", log.count("template reloaded") + 1);
  });

  it("sees every save: 20 edits alternating in-place writes and atomic rename-saves", async () => {
    for (let i = 0; i < 20; i++) {
      const before = log.count("template reloaded");
      const source = `export const REPLY: string = "save-${i}";`;
      if (i % 2 === 0) writeReply(source);
      else renameSaveReply(source);
      await log.waitFor("template reloaded", before + 1);
      expect((await runOnce()).output, `edit ${i}`).toBe(`save-${i}`);
    }
  });
});
