/**
 * Hostile user code against a real agentrt server, through the public API only: every case creates a
 * `custom` agent with `POST /v1/agents` and runs it with `POST /v1/agents/{agent}/runs` (sync mode).
 * Each case asserts the coded error (the run's `error.code`, or a 422 with the issue for create-time
 * failures) and that the server stayed healthy: its event loop (this process: the server runs in it)
 * kept turning, the next trivial run succeeds, the host's built-in prototypes are untouched, and the
 * sandbox pool is back to its size with no zombie children.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CustomAgents, createCustomAgents, type Language, type Run } from "./custom-agents.js";
import { type CodeHost, startCodeHost } from "./custom-code-host.js";
import {
  countChildren,
  type LoopReport,
  listChildren,
  snapshotPrototypes,
  waitFor,
  watchEventLoop,
} from "./custom-health.js";
import { createTestHost, serverDir, startTestServer, type TestServer } from "./helpers.js";
import { readSse } from "./sse.js";

const JS_WORKERS = 2;
const PY_WORKERS = 1;
/** Operator limits kept small so that runaway code is stopped quickly. */
const LIMITS = {
  timeoutMs: 1_500,
  memoryMb: 32,
  maxLogBytes: 64 * 1024,
  maxResultBytes: 256 * 1024,
  maxResultDepth: 32,
  maxHostCalls: 2_000,
};
/** Hosts on the URL allow-list only so that the address rules, not the host rule, must refuse them. */
const ALLOWED_PRIVATE_HOSTS = [
  "127.0.0.1",
  "localhost",
  "::ffff:127.0.0.1",
  "10.0.0.7",
  "172.16.5.4",
  "192.168.1.20",
  "100.64.0.1",
  "169.254.169.254",
  "fd00::1",
  "::1",
];
/** Written by hostile code if it ever reached a shell; it must never exist. */
const MARKER = join(tmpdir(), `agentrt-escaped-${process.pid}`);

const customDir = dirname(
  createRequire(`${serverDir}/package.json`).resolve("@agentrt/template-custom/package.json"),
);

let server: TestServer;
/** A second server whose operator trusts private addresses: only there can redirects reach a real host. */
let trusting: TestServer;
let agents: CustomAgents;
let trustingAgents: CustomAgents;
let codeHost: CodeHost;
let codeRoot: string;
let outside: string;
let trivial: Record<"js" | "py", string>;
const prototypes = snapshotPrototypes();

beforeAll(async () => {
  outside = mkdtempSync(join(tmpdir(), "agentrt-outside-"));
  writeFileSync(join(outside, "secret.js"), "export function main() { return 'outside the code root'; }");
  codeRoot = mkdtempSync(join(tmpdir(), "agentrt-code-root-"));
  mkdirSync(join(codeRoot, "agents"));
  writeFileSync(join(codeRoot, "agents", "double.js"), "export function main(n) { return n * 2; }");
  symlinkSync(join(outside, "secret.js"), join(codeRoot, "agents", "escape.js"));
  codeHost = await startCodeHost("export function main(input) { return { fetched: input }; }");

  const hostDir = createTestHost({ "@agentrt/template-custom": customDir });
  server = await startTestServer({
    AGENTRT_HOST_DIR: hostDir,
    AGENTRT_TEMPLATE_SETTINGS: JSON.stringify({
      custom: {
        codeRoot,
        urlAllowList: ALLOWED_PRIVATE_HOSTS,
        fetchTimeoutMs: 3_000,
        limits: LIMITS,
        jsWorkers: JS_WORKERS,
        pythonWorkers: PY_WORKERS,
      },
    }),
  });
  trusting = await startTestServer({
    AGENTRT_HOST_DIR: hostDir,
    AGENTRT_TEMPLATE_SETTINGS: JSON.stringify({
      custom: {
        urlAllowList: ["localhost"],
        allowPrivateAddresses: true,
        urlCa: codeHost.ca,
        maxCodeBytes: 4_096,
        fetchTimeoutMs: 3_000,
      },
    }),
  });
  agents = createCustomAgents(server);
  trustingAgents = createCustomAgents(trusting);
  trivial = {
    js: await agents.create("javascript", "export function main(n) { return n + 1; }"),
    py: await agents.create("python", "def main(n, ctx):\n    return n + 1\n"),
  };
  // Warm both pools: the first Python run waits for the interpreter to load.
  expect((await agents.run(trivial.js, 1)).output).toBe(2);
  expect((await agents.run(trivial.py, 1)).output).toBe(2);
}, 60_000);

afterAll(async () => {
  await trusting?.stop();
  await server?.stop();
  await codeHost?.close();
  rmSync(codeRoot, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
  // Stopping the server disposes its agents; the last one closes the sandbox pool and its children.
  await waitFor(() => {
    const counts = countChildren();
    return counts["js-worker"] === 0 && counts["py-worker"] === 0 && counts.zombie === 0;
  }, "every sandbox child has exited and been reaped");
  // Left by design: compileUserCode's shared Python syntax checker (ends 30 s after its last check) and
  // esbuild's service process. Anything else would be a leak.
  const counts = countChildren();
  expect(counts.other).toBe(0);
  expect(counts["py-checker"]).toBeLessThanOrEqual(1);
  expect(counts.esbuild).toBeLessThanOrEqual(1);
  expect(snapshotPrototypes()).toEqual(prototypes);
  expect(existsSync(MARKER)).toBe(false);
}, 30_000);

/** The server's event loop kept turning while the case ran (it shares this process). */
function expectLoopTurned(loop: LoopReport): void {
  expect(loop.turns, "event-loop turns while the case ran").toBeGreaterThan(0);
}

/**
 * The server is healthy after a case: trivial runs succeed (Python too when the case was Python),
 * the event loop kept turning, host prototypes are untouched, and the pool is back to its size
 * with every replaced child reaped.
 */
async function expectHealthy(watch: { stop(): LoopReport }, python = false): Promise<void> {
  expect(await agents.run(trivial.js, 41)).toMatchObject({ status: "succeeded", output: 42 });
  if (python) expect(await agents.run(trivial.py, 41)).toMatchObject({ status: "succeeded", output: 42 });
  expectLoopTurned(watch.stop());
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(snapshotPrototypes()).toEqual(prototypes);
  await waitFor(() => {
    const counts = countChildren();
    // Python keeps warm spares plus interpreters bound to one agent each: between 1 and 2 per slot.
    return (
      counts["js-worker"] === JS_WORKERS &&
      counts["py-worker"] >= PY_WORKERS &&
      counts["py-worker"] <= 2 * PY_WORKERS &&
      counts.zombie === 0
    );
  }, `the pool is back to ${JS_WORKERS} JS + ${PY_WORKERS} Python children, none a zombie`);
}

/** Creates an agent from hostile code, runs it once, and expects the run to fail with `code`. */
async function hostile(
  language: Language,
  content: string,
  code: string,
  input: unknown = null,
): Promise<Run> {
  const watch = watchEventLoop();
  const agent = await agents.create(language, content);
  const run = await agents.run(agent, input);
  // The sandbox's codes are the custom template's own: clients see them namespaced.
  expect(run, JSON.stringify(run)).toMatchObject({ status: "failed", error: { code: `custom.${code}` } });
  await expectHealthy(watch, language === "python");
  return run;
}

/** Runs code that must succeed despite its tricks; returns the output. */
async function contained(language: Language, content: string, input: unknown = null): Promise<unknown> {
  const watch = watchEventLoop();
  const agent = await agents.create(language, content);
  const run = await agents.run(agent, input);
  expect(run, JSON.stringify(run)).toMatchObject({ status: "succeeded" });
  await expectHealthy(watch, language === "python");
  return run.output;
}

/** Expects `POST /v1/agents` to refuse the config with 422 and one issue naming `code` at `path`. */
async function refused(
  config: Record<string, unknown>,
  code: string,
  path: string[] = ["content"],
  via: CustomAgents = agents,
): Promise<string> {
  const watch = watchEventLoop();
  const res = await via.refuse(config);
  expect(res, JSON.stringify(res)).toMatchObject({ status: 422, code: "CONFIG_INVALID" });
  expect(res.issues).toHaveLength(1);
  expect(res.issues[0]!.path).toEqual(["config", ...path]);
  expect(res.issues[0]!.message.startsWith(`${code}: `), res.issues[0]!.message).toBe(true);
  await expectHealthy(watch);
  return res.issues[0]!.message;
}

const inline = (language: Language, content: string) => ({ type: "inline", language, content });
const pyLines = (...source: string[]) => `${source.join("\n")}\n`;

/** Where this machine keeps the server: the repository (Pyodide and every package live under it). */
const hostPaths = () => [resolve(serverDir, "../.."), "/node_modules/"];
/** Names only Pyodide's JavaScript-side API has (what `pyodide_js._api` showed user code). */
const JS_API_NAMES = [
  "loadBinaryFile",
  "loadDynlib",
  "runtimeEnv",
  "indexURL",
  "packageCacheDir",
  "rawRun",
  "fatal_error",
];

/** Nothing a run returned or failed with names a host path or Pyodide's JavaScript API. */
function expectNothingLeaked(value: unknown): void {
  const text = JSON.stringify(value);
  for (const path of hostPaths()) expect(text, `names ${path}`).not.toContain(path);
  for (const name of JS_API_NAMES) expect(text, `names ${name}`).not.toContain(name);
}
const url = (content: string) => ({ type: "url", language: "javascript", content });

describe("well-behaved agents", () => {
  it.each([
    [
      "javascript",
      "export async function main(input, ctx) { ctx.log('js says', input.n); ctx.progress(1, 2); await null; ctx.progress(2, 2); return { doubled: input.n * 2 }; }",
      "js says 21",
    ],
    [
      "typescript",
      "interface In { n: number }\ninterface Ctx { log(...args: unknown[]): void; progress(done: number, total: number): void }\nexport async function main(input: In, ctx: Ctx): Promise<{ doubled: number }> {\n  ctx.log('ts says', input.n);\n  ctx.progress(1, 2);\n  await null;\n  ctx.progress(2, 2);\n  return { doubled: input.n * 2 };\n}\n",
      "ts says 21",
    ],
    [
      "python",
      "import asyncio\nasync def main(input, ctx):\n    ctx.log('py says', input['n'])\n    ctx.progress(1, 2)\n    await asyncio.sleep(0)\n    ctx.progress(2, 2)\n    return {'doubled': input['n'] * 2}\n",
      "py says 21",
    ],
  ] as const)(
    "%s: returns its output; log and progress events reach the run's event stream",
    async (language, content, line) => {
      const watch = watchEventLoop();
      const agent = await agents.create(language, content);
      const { runId, events } = await agents.stream(agent, { n: 21 });
      const names = events.map((e) => e.event);
      expect(names[0]).toBe("run.queued");
      expect(names.at(-1)).toBe("run.finished");
      expect(events.filter((e) => e.event === "log").map((e) => e.data.message)).toEqual([line]);
      expect(events.filter((e) => e.event === "progress").map((e) => [e.data.done, e.data.total])).toEqual([
        [1, 2],
        [2, 2],
      ]);
      expect(events.find((e) => e.event === "output")?.data).toMatchObject({ output: { doubled: 42 } });
      expect(events.at(-1)?.data).toMatchObject({ status: "succeeded", output: { doubled: 42 } });
      // The same events are stored with the run, after the log and before the output.
      const stored = await agents.events(runId);
      expect(stored.map((e) => e.event)).toEqual(names);
      await expectHealthy(watch, language === "python");
    },
  );
});

describe("a crashed sandbox child", () => {
  it("fails only the run it was running with SANDBOX_CRASHED; the pool replaces it", async () => {
    const watch = watchEventLoop();
    const victim = await agents.create(
      "javascript",
      "export function main(_, ctx) { ctx.log('victim running'); for (;;) {} }",
    );
    const bystander = await agents.create(
      "javascript",
      "export async function main(_, ctx) { ctx.log('bystander running'); await new Promise((r) => setTimeout(r, 800)); return 'survived'; }",
    );
    const startUntilLog = async (agent: string) => {
      const { body } = await server.call("POST", `/v1/agents/${agent}/runs`, { mode: "background" });
      await readSse(await server.api(`/v1/runs/${body.id}/events`), (e) => e.event === "log");
      return body.id as string;
    };
    // The pool sends each run to its least busy child, so the two runs sit in different children.
    const victimRun = await startUntilLog(victim);
    const bystanderRun = await startUntilLog(bystander);
    // The victim's child is the one burning CPU.
    const before = new Map(listChildren().map((c) => [c.pid, c.cpuTicks]));
    await new Promise((resolve) => setTimeout(resolve, 250));
    const busiest = listChildren()
      .filter((c) => c.role === "js-worker")
      .map((c) => ({ pid: c.pid, used: c.cpuTicks - (before.get(c.pid) ?? 0) }))
      .sort((a, b) => b.used - a.used);
    expect(busiest).toHaveLength(JS_WORKERS);
    expect(busiest[0]!.used).toBeGreaterThan(busiest[1]!.used);
    process.kill(busiest[0]!.pid, "SIGKILL");

    const finished = async (id: string) => {
      const events = await readSse(await server.api(`/v1/runs/${id}/events`));
      return events.at(-1)?.data;
    };
    expect(await finished(victimRun)).toMatchObject({
      status: "failed",
      error: { code: "custom.SANDBOX_CRASHED" },
    });
    expect(await finished(bystanderRun)).toMatchObject({ status: "succeeded", output: "survived" });
    await expectHealthy(watch);
    expect(listChildren().map((c) => c.pid)).not.toContain(busiest[0]!.pid);
  });

  it("a killed Python child fails its run with SANDBOX_CRASHED; the next Python run succeeds", async () => {
    const watch = watchEventLoop();
    const agent = await agents.create(
      "python",
      "def main(i, ctx):\n    ctx.log('spinning')\n    while True:\n        pass\n",
    );
    const { body } = await server.call("POST", `/v1/agents/${agent}/runs`, { mode: "background" });
    await readSse(await server.api(`/v1/runs/${body.id}/events`), (e) => e.event === "log");
    // The pool also holds a spare (maybe still loading), so which child runs this agent is not known:
    // kill them all; the run must still fail with SANDBOX_CRASHED and the pool recover.
    for (const python of listChildren().filter((c) => c.role === "py-worker"))
      process.kill(python.pid, "SIGKILL");
    const events = await readSse(await server.api(`/v1/runs/${body.id}/events`));
    expect(events.at(-1)?.data).toMatchObject({
      status: "failed",
      error: { code: "custom.SANDBOX_CRASHED" },
    });
    await expectHealthy(watch, true);
  });
});

describe("JavaScript: runaway CPU and time", () => {
  it("stops an infinite loop", () =>
    hostile("javascript", "export function main() { for (;;) {} }", "TIMEOUT"));

  it("stops an infinite loop in top-level code", () =>
    hostile("javascript", "for (;;) {}\nexport function main() { return 1; }", "TIMEOUT"));

  it("stops a catastrophic regular expression", () =>
    hostile(
      "javascript",
      `export function main() { return /^(a+)+$/.test("a".repeat(40) + "b"); }`,
      "TIMEOUT",
    ));

  it("stops a promise that never settles", () =>
    hostile("javascript", "export function main() { return new Promise(() => {}); }", "TIMEOUT"));

  it("stops a blocking Atomics.wait", () =>
    hostile(
      "javascript",
      "export function main() { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000); return 'woke'; }",
      "TIMEOUT",
    ));

  it("stops an endless promise chain", () =>
    hostile("javascript", "export async function main() { for (;;) await null; }", "TIMEOUT"));

  it("stops endless microtasks and a busy loop after an await", async () => {
    await hostile(
      "javascript",
      // Each microtask queues the next and keeps nothing alive: only time can stop it.
      "export function main() { const again = () => { Promise.resolve().then(again); }; again(); return new Promise(() => {}); }",
      "TIMEOUT",
    );
    await hostile("javascript", "export async function main() { await null; for (;;) {} }", "TIMEOUT");
  });

  it("discards timers left behind by a finished run", async () => {
    const watch = watchEventLoop();
    const agent = await agents.create(
      "javascript",
      `export async function main(input, ctx) {
        if (input.wait) { await new Promise((r) => setTimeout(r, 200)); return "waited"; }
        setInterval(() => ctx.log("leak"), 1);
        setTimeout(() => { for (;;) {} }, 5);
        setTimeout(() => ctx.log("late"), 100000);
        return "returned";
      }`,
    );
    const { events: first } = await agents.stream(agent, { wait: false });
    expect(first.at(-1)?.data).toMatchObject({ status: "succeeded", output: "returned" });
    // A later run of the same agent (possibly in the same child) sees none of it.
    const { events: second } = await agents.stream(agent, { wait: true });
    expect(second.at(-1)?.data).toMatchObject({ status: "succeeded", output: "waited" });
    expect([...first, ...second].filter((e) => e.event === "log")).toEqual([]);
    await expectHealthy(watch);
  });
});

describe("JavaScript: memory", () => {
  it("stops an array memory bomb", () =>
    hostile(
      "javascript",
      "export function main() { const a = []; for (;;) a.push(new Array(100000).fill(1.5)); }",
      "MEMORY_LIMIT",
    ));

  it("stops a string memory bomb", () =>
    hostile(
      "javascript",
      `export function main() { const a = []; for (;;) a.push("x".repeat(1e6) + Math.random()); }`,
      "MEMORY_LIMIT",
    ));

  it("stops an ArrayBuffer memory bomb", () =>
    hostile(
      "javascript",
      "export function main() { const a = []; for (;;) a.push(new Uint8Array(1e7).fill(1)); }",
      "MEMORY_LIMIT",
    ));

  it("offers no WebAssembly, whose memory the isolate's limit would not cover", async () => {
    const run = await hostile(
      "javascript",
      "export function main() { const m = new WebAssembly.Memory({ initial: 1, maximum: 8192 }); m.grow(4000); new Uint8Array(m.buffer).fill(7); return m.buffer.byteLength; }",
      "USER_CODE_ERROR",
    );
    expect(run.error?.message).toMatch(/WebAssembly is not defined/);
  });

  it("reports a stack overflow as the user's error", async () => {
    const run = await hostile(
      "javascript",
      "function f() { return f() + 1; }\nexport function main() { return f(); }",
      "USER_CODE_ERROR",
    );
    expect(run.error?.message).toMatch(/Maximum call stack size exceeded/);
  });
});

describe("JavaScript: log and result floods", () => {
  it("refuses one huge log line", () =>
    hostile("javascript", `export function main(_, ctx) { ctx.log("x".repeat(2e6)); }`, "OUTPUT_LIMIT"));

  it("stops a log flood", () =>
    hostile(
      "javascript",
      `export function main(_, ctx) { for (;;) console.log("x".repeat(1000)); }`,
      "OUTPUT_LIMIT",
    ));

  it("stops a flood of host calls", () =>
    hostile(
      "javascript",
      "export function main(_, ctx) { for (;;) ctx.progress(1, 2); }",
      "HOST_CALL_LIMIT",
    ));

  it("refuses an oversized result", () =>
    hostile("javascript", `export function main() { return "x".repeat(2e6); }`, "RESULT_TOO_LARGE"));

  it("refuses a too deeply nested result", () =>
    hostile(
      "javascript",
      "export function main() { let v = 1; for (let i = 0; i < 1000; i++) v = [v]; return v; }",
      "RESULT_TOO_LARGE",
    ));
});

describe("JavaScript: non-serialisable and booby-trapped results", () => {
  it("stops a result getter that never returns", () =>
    hostile("javascript", "export function main() { return { get a() { for (;;) {} } }; }", "TIMEOUT"));

  it("reports a result getter that throws", async () => {
    const run = await hostile(
      "javascript",
      `export function main() { return { get a() { throw new Error("getter trap"); } }; }`,
      "USER_CODE_ERROR",
    );
    expect(run.error?.message).toMatch(/getter trap/);
  });

  it("reports a Proxy result whose traps throw", async () => {
    const run = await hostile(
      "javascript",
      `export function main() { return new Proxy({}, { ownKeys() { throw new Error("trap"); } }); }`,
      "USER_CODE_ERROR",
    );
    expect(run.error?.message).toMatch(/not JSON-serialisable: trap/);
  });

  it("reports a toJSON loop", () =>
    hostile(
      "javascript",
      "export function main() { return { toJSON() { return { again: this }; } }; }",
      "USER_CODE_ERROR",
    ));

  it("reports cyclic and BigInt results", async () => {
    await hostile(
      "javascript",
      "export function main() { const a = {}; a.self = a; return a; }",
      "USER_CODE_ERROR",
    );
    await hostile("javascript", "export function main() { return { n: 10n }; }", "USER_CODE_ERROR");
  });

  it("copies results as plain JSON: functions, symbols and custom inspectors are dropped", async () => {
    const output = await contained(
      "javascript",
      `export function main() {
        return { keep: 1, fn() {}, [Symbol.for("nodejs.util.inspect.custom")]: () => "pwned", when: new Date(0) };
      }`,
    );
    expect(output).toEqual({ keep: 1, when: "1970-01-01T00:00:00.000Z" });
  });

  it("copies a booby-trapped thrown value as a capped record", async () => {
    const run = await hostile(
      "javascript",
      `export function main() { throw new Proxy(new Error("boom"), { get(t, k) { if (k === "stack" || k === "message") return "s".repeat(1e6); return Reflect.get(t, k); } }); }`,
      "USER_CODE_ERROR",
    );
    expect(run.error!.message.length).toBeLessThanOrEqual(4_000);
  });

  it("stops a thrown error whose stack getter never returns", () =>
    hostile(
      "javascript",
      `export function main() { const e = {}; Object.defineProperty(e, "stack", { get() { for (;;) {} } }); throw e; }`,
      "TIMEOUT",
    ));
});

/** Tries a Function constructor reached by a trick; in the host realm it would return `process`. */
const ESCAPE = `const escape = (F) => { try { const p = F("return process")(); return p && typeof p.pid === "number" ? "ESCAPED" : "contained"; } catch { return "contained"; } };`;

describe("JavaScript: escapes", () => {
  it("sees no require, process, module, Buffer, fetch or isolated-vm handles", async () => {
    const output = await contained(
      "javascript",
      `export function main(_, ctx) {
        const names = ["require", "process", "module", "exports", "global", "Buffer", "ivm", "_ivm", "fetch", "__agentrt_exports", "setImmediate", "WebAssembly"];
        return { ...Object.fromEntries(names.map((n) => [n, typeof globalThis[n]])), ctxFetch: typeof ctx.fetch };
      }`,
    );
    expect(Object.values(output as Record<string, string>)).toEqual(Array(13).fill("undefined"));
  });

  it("refuses require and static imports of host modules when the agent is created", async () => {
    for (const content of [
      `const cp = require("child_process");\nexport function main() { return cp.execSync("id"); }`,
      `import fs from "node:fs";\nexport function main() { return fs.readFileSync("/etc/passwd", "utf8"); }`,
      `import x from "/etc/passwd";\nexport function main() { return x; }`,
      `export async function main() { return import("child_process"); }`,
    ]) {
      const message = await refused(inline("javascript", content), "DEPENDENCY_NOT_ALLOWED", [
        "dependencies",
      ]);
      expect(message).toMatch(/is not on the operator's allow-list of dependencies/);
    }
  });

  it("refuses a computed import() at run time", async () => {
    const run = await hostile(
      "javascript",
      `export async function main() { const m = ["child", "process"].join("_"); return Object.keys(await import(m)); }`,
      "USER_CODE_ERROR",
    );
    expect(run.error?.message).not.toMatch(/execSync/);
  });

  it("gets only the sandbox's own realm from the Function constructor", async () => {
    const output = await contained(
      "javascript",
      `${ESCAPE}
      export async function main(_, ctx) {
        const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
        const viaAsync = await AsyncFunction("return process")().then(
          (p) => (typeof p?.pid === "number" ? "ESCAPED" : "contained"),
          () => "contained",
        );
        return [
          escape((function () {}).constructor),
          escape(({}).constructor.constructor),
          escape(ctx.log.constructor),
          escape(ctx.progress.constructor.constructor),
          viaAsync,
          typeof Function("return this")().process,
        ];
      }`,
    );
    expect(output).toEqual(["contained", "contained", "contained", "contained", "contained", "undefined"]);
  });

  it("reaches no host object through Error.prepareStackTrace (vm2 CVE-2022-36067 style)", async () => {
    const hostPrepare = Error.prepareStackTrace;
    const output = await contained(
      "javascript",
      `${ESCAPE}
      export function main(_, ctx) {
        const seen = [];
        Error.prepareStackTrace = (e, frames) => {
          for (const f of frames) {
            try { const t = f.getThis(); if (t) seen.push(escape(t.constructor.constructor)); } catch { seen.push("threw"); }
            try { const fn = f.getFunction(); if (fn) seen.push(escape(fn.constructor)); } catch { seen.push("threw"); }
          }
          return "custom";
        };
        const attempts = [() => ctx.log(Symbol("s")), () => ctx.progress({ valueOf() { null.f(); } }, 1), () => null.f(), () => ctx.log({ toString() { throw new Error("inner"); } })];
        for (const attempt of attempts) {
          try { attempt(); } catch (e) { try { String(e.stack); seen.push(escape(e.constructor.constructor)); } catch { seen.push("threw"); } }
        }
        return seen;
      }`,
    );
    expect(output).not.toContain("ESCAPED");
    expect(Error.prepareStackTrace).toBe(hostPrepare);
  });

  it("gives custom inspectors nothing from the host (vm2 CVE-2023-37903 style)", async () => {
    const watch = watchEventLoop();
    const agent = await agents.create(
      "javascript",
      `${ESCAPE}
      export function main(_, ctx) {
        const seen = [];
        const trap = { [Symbol.for("nodejs.util.inspect.custom")]: (depth, options, inspect) => {
          seen.push(inspect ? escape(inspect.constructor) : "no inspect");
          return "inspected";
        } };
        ctx.log(trap);
        console.error("error:", trap);
        ctx.log(new Proxy({}, { get(t, k) { seen.push("proxy get " + String(k)); return Reflect.get(t, k); } }));
        return seen;
      }`,
    );
    const { events } = await agents.stream(agent);
    expect(events.at(-1)?.data.status).toBe("succeeded");
    expect(JSON.stringify(events)).not.toMatch(/ESCAPED/);
    await expectHealthy(watch);
  });

  it("keeps Promise species and error-name tricks inside the sandbox (vm2 CVE-2023-37466/30547 style)", async () => {
    const output = await contained(
      "javascript",
      `${ESCAPE}
      export async function main() {
        const seen = [];
        const p = (async () => { throw new Error("x"); })();
        p.constructor = { [Symbol.species]: class { constructor(executor) { executor((x) => x, (err) => { seen.push(escape(err.constructor.constructor)); }); } } };
        p.then();
        const err = new Error("named");
        err.name = { toString: new Proxy(() => "", { apply(target, self, args) { seen.push(escape(args.constructor.constructor)); return "N"; } }) };
        try { String(err.stack); } catch (e) { seen.push(escape(e.constructor.constructor)); }
        try { throw Symbol("thrown"); } catch (e) { seen.push(typeof e); }
        await new Promise((r) => setTimeout(r, 1));
        return seen;
      }`,
    );
    expect(output).not.toContain("ESCAPED");
    expect((output as string[]).length).toBeGreaterThan(1);
  });

  it("cannot pollute the server's prototypes through its code, its result or its input", async () => {
    const watch = watchEventLoop();
    const agent = await agents.create(
      "javascript",
      `export function main(input) {
        const payload = JSON.parse('{"__proto__": {"polluted": "via result"}, "constructor": {"prototype": {"polluted": "via constructor"}}}');
        const sawInput = [Object.keys(input), ({}).polluted ?? null];
        Object.prototype.polluted = "via code";
        Array.prototype.push = null;
        JSON.parse = () => "hijacked";
        JSON.stringify = () => '"hijacked"';
        return { payload, sawInput };
      }`,
    );
    const res = await server.api(`/v1/agents/${agent}/runs`, {
      method: "POST",
      body: '{"input": {"__proto__": {"polluted": "via input"}, "a": 1}}',
    });
    const run = JSON.parse(await res.text());
    expect(run.status).toBe("succeeded");
    expect(Object.keys(run.output.payload)).toEqual(["__proto__", "constructor"]);
    expect(run.output.sawInput[1]).toBeNull();
    expect(JSON.parse("[1]")).toEqual([1]);
    // The next run, of another agent, starts from clean built-ins too.
    const reader = await agents.create(
      "javascript",
      "export function main() { return [({}).polluted ?? null, typeof [].push, JSON.parse('2')]; }",
    );
    for (let i = 0; i < JS_WORKERS * 2; i++) {
      expect((await agents.run(reader)).output).toEqual([null, "function", 2]);
    }
    await expectHealthy(watch);
  });

  it("leaks no state from one run to the next, nor from one agent to another", async () => {
    const watch = watchEventLoop();
    const writer = await agents.create(
      "javascript",
      `let calls = 0;
      export function main(input) {
        calls++;
        globalThis.secret = input.secret;
        Math.random = () => 4;
        globalThis.stash = (globalThis.stash ?? []).concat(input.secret);
        return { calls, stash: globalThis.stash.length };
      }`,
    );
    const reader = await agents.create(
      "javascript",
      "let calls = 0;\nexport function main() { calls++; return [typeof globalThis.secret, typeof globalThis.stash, Math.random() === 4, calls]; }",
    );
    for (let i = 0; i < JS_WORKERS * 2; i++) {
      expect((await agents.run(writer, { secret: `s${i}` })).output).toEqual({ calls: 1, stash: 1 });
      expect((await agents.run(reader)).output).toEqual(["undefined", "undefined", false, 1]);
    }
    await expectHealthy(watch);
  });
});

describe("create time: code that does not compile or does not fit", () => {
  it.each([
    ["javascript", "export function main() {\n  return 1;\n}\n}\n", /line 4, column \d+/],
    [
      "typescript",
      "export function main(input: number): number {\n  const x: = input;\n  return x;\n}\n",
      /line 2, column \d+/,
    ],
    ["python", "def main(input, ctx):\n    x = 1\n    return x +\n", /line 3, column \d+/],
  ] as const)(
    "%s: a syntax error is a 422 CODE_COMPILE_ERROR with line and column",
    async (language, content, where) => {
      expect(await refused(inline(language, content), "CODE_COMPILE_ERROR")).toMatch(where);
    },
  );

  it.each([
    ["javascript", "export function helper() { return 1; }"],
    ["typescript", "export const helper = (): number => 1;"],
    ["python", "def helper(input, ctx):\n    return 1\n"],
  ] as const)("%s: a missing entry point is a 422 ENTRYPOINT_NOT_FOUND", async (language, content) => {
    expect(await refused(inline(language, content), "ENTRYPOINT_NOT_FOUND", ["entryPoint"])).toMatch(/main/);
  });

  it("refuses a dependency off the operator's allow-list with DEPENDENCY_NOT_ALLOWED", async () => {
    const message = await refused(
      {
        ...inline("javascript", `import _ from "lodash";\nexport function main() { return _.VERSION; }`),
        dependencies: ["lodash"],
      },
      "DEPENDENCY_NOT_ALLOWED",
      ["dependencies"],
    );
    expect(message).toMatch(/lodash/);
  });

  it("refuses file paths that leave the code root, and runs one that does not", async () => {
    const file = (content: string) => ({ type: "file", language: "javascript", content });
    expect(await refused(file("../outside/secret.js"), "PATH_NOT_ALLOWED")).toMatch(/"\.\."/);
    expect(await refused(file("agents/../../etc/passwd"), "PATH_NOT_ALLOWED")).toMatch(/"\.\."/);
    expect(await refused(file("/etc/passwd"), "PATH_NOT_ALLOWED")).toMatch(/absolute/);
    expect(await refused(file("agents/escape.js"), "PATH_NOT_ALLOWED")).toMatch(/outside the code root/);
    expect(await refused(file("agents/missing.js"), "CODE_FETCH_FAILED")).toMatch(/not found/);
    const agent = await agents.create("javascript", "agents/double.js", { type: "file" });
    expect((await agents.run(agent, 21)).output).toBe(42);
  });
});

describe("create time: SSRF through `url` sources", () => {
  it("refuses a host that is not on the allow-list", async () => {
    expect(await refused(url("https://code.attacker.test/agent.js"), "URL_NOT_ALLOWED")).toMatch(
      /host code\.attacker\.test is not on the URL allow-list/,
    );
  });

  it("refuses anything but https, and URLs with credentials", async () => {
    expect(await refused(url("http://localhost/agent.js"), "URL_NOT_ALLOWED")).toMatch(/only https/);
    expect(await refused(url("file:///etc/passwd"), "URL_NOT_ALLOWED")).toMatch(/only https/);
    expect(await refused(url("https://user:pw@localhost/agent.js"), "URL_NOT_ALLOWED")).toMatch(
      /credentials/,
    );
  });

  it.each([
    ["loopback by name", "https://localhost/agent.js", /resolves to 127\.0\.0\.1 \(loopback\)/],
    ["loopback", "https://127.0.0.1/agent.js", /loopback/],
    ["IPv6 loopback", "https://[::1]/agent.js", /loopback/],
    ["10/8", "https://10.0.0.7/agent.js", /private/],
    ["172.16/12", "https://172.16.5.4/agent.js", /private/],
    ["192.168/16", "https://192.168.1.20/agent.js", /private/],
    ["carrier-grade NAT", "https://100.64.0.1/agent.js", /100\.64\.0\.1/],
    ["cloud metadata", "https://169.254.169.254/latest/meta-data/", /link-local/],
    ["unique-local IPv6", "https://[fd00::1]/agent.js", /fd00::1/],
    ["IPv4-mapped IPv6", "https://[::ffff:127.0.0.1]/agent.js", /::ffff:7f00:1/],
    ["decimal IPv4", "https://2130706433/agent.js", /127\.0\.0\.1 \(loopback\)/],
    ["hex IPv4", "https://0x7f000001/agent.js", /127\.0\.0\.1 \(loopback\)/],
    ["octal IPv4", "https://0177.0.0.1/agent.js", /127\.0\.0\.1 \(loopback\)/],
    ["short IPv4", "https://127.1/agent.js", /127\.0\.0\.1 \(loopback\)/],
  ])("refuses %s addresses even for an allow-listed host", async (_, address, reason) => {
    expect(await refused(url(address), "URL_NOT_ALLOWED")).toMatch(reason);
  });

  it("fetches allowed code through redirects, checking every hop again", async () => {
    const via = trustingAgents;
    // The fixture works: three redirects are followed, and the fetched code runs.
    const watch = watchEventLoop();
    const agent = await via.create("javascript", codeHost.url("/hop/1"), { type: "url" });
    expect(await trusting.call("POST", `/v1/agents/${agent}/runs`, { input: 7 })).toMatchObject({
      body: { status: "succeeded", output: { fetched: 7 } },
    });
    expectLoopTurned(watch.stop());
    const hop = (path: string) => url(codeHost.url(path));
    expect(await refused(hop("/to-http"), "URL_NOT_ALLOWED", ["content"], via)).toMatch(/only https/);
    expect(await refused(hop("/to-foreign"), "URL_NOT_ALLOWED", ["content"], via)).toMatch(
      /code\.attacker\.test is not on the URL allow-list/,
    );
    expect(await refused(hop("/to-ip"), "URL_NOT_ALLOWED", ["content"], via)).toMatch(
      /127\.0\.0\.1 is not on the URL allow-list/,
    );
    expect(await refused(hop("/endless/"), "CODE_FETCH_FAILED", ["content"], via)).toMatch(
      /more than 3 redirects/,
    );
    expect(await refused(hop("/huge"), "CODE_FETCH_FAILED", ["content"], via)).toMatch(/larger than 4096/);
    // The endless chain stopped after the first request and three redirects.
    expect(codeHost.hits.filter((p) => p.startsWith("/endless/"))).toHaveLength(4);
  });
});

describe("Python", () => {
  it("cannot import js or pyodide_js: refused at create time, missing at run time", async () => {
    for (const module of ["js", "pyodide_js", "pyodide"]) {
      const code = `import ${module}\ndef main(i, ctx):\n    return str(${module})\n`;
      expect(await refused(inline("python", code), "DEPENDENCY_NOT_ALLOWED", ["dependencies"])).toMatch(
        new RegExp(`"${module}" is imported but is neither standard library nor a declared dependency`),
      );
    }
    // A dynamic import passes the static check: the interpreter itself must not have the modules.
    for (const module of ["js", "pyodide_js"]) {
      const code = `def main(i, ctx):\n    return str(__import__('${module}'))\n`;
      const run = await hostile("python", code, "USER_CODE_ERROR");
      expect(run.error?.message).toMatch(/ModuleNotFoundError/);
    }
  });

  it("finds no JavaScript object in sys.modules, through __import__ or through importlib", async () => {
    const output = await contained(
      "python",
      pyLines(
        "import sys, importlib",
        "def attempt(fn):",
        "    try:",
        "        return 'got ' + type(fn()).__name__",
        "    except BaseException as e:",
        "        return type(e).__name__",
        "def main(i, ctx):",
        "    names = ('js', 'pyodide_js', 'pyodide_js._api', 'pyodide', 'pyodide.ffi', '_pyodide', '_pyodide_core', 'ctypes', '_ctypes')",
        "    loaded = sorted(n for n in sys.modules if n.split('.')[0] in ('js', 'pyodide_js', 'pyodide', '_pyodide', '_pyodide_core'))",
        "    return [loaded, sorted({attempt(lambda: __import__(n)) for n in names} | {attempt(lambda: importlib.import_module(n)) for n in names})]",
      ),
    );
    expect(output).toEqual([[], ["ModuleNotFoundError"]]);
    expectNothingLeaked(output);
    // What the issue did: read the already loaded internal API module out of sys.modules.
    const run = await hostile(
      "python",
      "import sys\ndef main(i, ctx):\n    return [sys.modules['pyodide_js._api'].config.indexURL]\n",
      "USER_CODE_ERROR",
    );
    expect(run.error?.message).toMatch(/KeyError/);
    expectNothingLeaked(run);
  });

  it("reaches no JavaScript object and no host path through gc, in its state or its tracebacks", async () => {
    // The host paths go in reversed, so that the walk does not find the input itself.
    const reversed = hostPaths().map((path) => [...path].reverse().join(""));
    const output = (await contained(
      "python",
      pyLines(
        "import gc, sys, builtins, traceback, json",
        "BRIDGE = ('JsProxy', 'Js2PyConverter', 'Py2JsConverter', 'JsFuncSignature')",
        "def main(i, ctx):",
        "    needles = [p[::-1] for p in i]",
        "    roots = [sys.modules, vars(builtins), object.__subclasses__(), gc.get_objects()]",
        "    seen, stack, js, paths = set(), roots, [], []",
        "    while stack:",
        "        obj = stack.pop()",
        "        if id(obj) in seen:",
        "            continue",
        "        seen.add(id(obj))",
        "        kind = type(obj)",
        "        if any(c.__name__ in BRIDGE for c in kind.__mro__):",
        "            js.append(kind.__name__)",
        "        if kind is str and any(n in obj for n in needles) and not any(obj is n for n in needles):",
        "            paths.append(len(obj))",
        "        if isinstance(obj, type):",
        "            stack.extend(type.__subclasses__(obj))",
        "        stack.extend(gc.get_referents(obj))",
        "    try:",
        "        json.loads('{')",
        "    except ValueError as e:",
        "        tb = ''.join(traceback.format_exception(e))",
        "    return [len(seen) > 10000, js, paths, sys.executable, sys.orig_argv, tb]",
      ),
      reversed,
    )) as unknown[];
    expect(output.slice(0, 5)).toEqual([true, [], [], "", ["python"]]);
    expectNothingLeaked(output);
  });

  it("cannot use ctypes: refused at create time, missing at run time", async () => {
    const code = `import ctypes\ndef main(i, ctx):\n    return ctypes.CDLL(None).system(b'touch ${MARKER}')\n`;
    expect(await refused(inline("python", code), "DEPENDENCY_NOT_ALLOWED", ["dependencies"])).toMatch(
      /"ctypes" is imported/,
    );
    const run = await hostile(
      "python",
      "def main(i, ctx):\n    return __import__('ctypes').CDLL(None).emscripten_run_script(b'1')\n",
      "USER_CODE_ERROR",
    );
    expect(run.error?.message).toMatch(/ModuleNotFoundError: No module named 'ctypes'/);
    expectNothingLeaked(run);
  });

  it("cannot run host commands with os.system", async () => {
    const run = await hostile(
      "python",
      `import os\ndef main(i, ctx):\n    return os.system('touch ${MARKER}')\n`,
      "USER_CODE_ERROR",
    );
    expect(run.error?.message).toMatch(/PermissionError/);
  });

  it("cannot start processes with subprocess", async () => {
    const run = await hostile(
      "python",
      `import subprocess\ndef main(i, ctx):\n    return subprocess.run(['touch', '${MARKER}']).returncode\n`,
      "USER_CODE_ERROR",
    );
    expect(run.error?.message).toMatch(/PermissionError/);
  });

  it("cannot read host files", async () => {
    const agent = await agents.create("python", "def main(path, ctx):\n    return open(path).read()\n");
    for (const path of ["/etc/passwd", import.meta.filename, join(serverDir, "package.json")]) {
      const watch = watchEventLoop();
      const run = await agents.run(agent, path);
      expect(run).toMatchObject({ status: "failed", error: { code: "custom.USER_CODE_ERROR" } });
      expect(run.error?.message).toMatch(/FileNotFoundError/);
      await expectHealthy(watch, true);
    }
  });

  it("stops a busy loop", () =>
    hostile("python", "def main(i, ctx):\n    while True:\n        pass\n", "TIMEOUT"));

  it("stops a busy loop that swallows KeyboardInterrupt (the interpreter is replaced)", () =>
    hostile(
      "python",
      "def main(i, ctx):\n    while True:\n        try:\n            while True:\n                pass\n        except KeyboardInterrupt:\n            pass\n",
      "TIMEOUT",
    ));

  it("stops a memory bomb", () =>
    hostile(
      "python",
      "def main(i, ctx):\n    a = []\n    while True:\n        a.append(' ' * 1000000)\n",
      "MEMORY_LIMIT",
    ));

  it("stops a print flood", () =>
    hostile("python", "def main(i, ctx):\n    while True:\n        print('x' * 1000)\n", "OUTPUT_LIMIT"));

  it("refuses a result that is not JSON", async () => {
    const run = await hostile("python", "def main(i, ctx):\n    return {1, 2}\n", "USER_CODE_ERROR");
    expect(run.error?.message).toMatch(/set|serial/i);
  });

  it("leaks no state from one run to the next, nor from one agent to another", async () => {
    const watch = watchEventLoop();
    const writer = await agents.create(
      "python",
      "import builtins, json, os\ncalls = 0\ndef main(secret, ctx):\n    global calls\n    calls += 1\n    builtins.secret = secret\n    json.secret = secret\n    open('/tmp/secret', 'w').write(secret)\n    os.chdir('/tmp')\n    return calls\n",
    );
    const reader = await agents.create(
      "python",
      "import builtins, json, os\ndef main(i, ctx):\n    return [hasattr(builtins, 'secret'), hasattr(json, 'secret'), os.path.exists('/tmp/secret'), os.getcwd() == '/tmp']\n",
    );
    for (let i = 0; i < 2; i++) {
      expect((await agents.run(writer, `s${i}`)).output).toBe(1);
      expect((await agents.run(reader)).output).toEqual([false, false, false, false]);
    }
    await expectHealthy(watch, true);
  });
});

/** Regressions: each case reproduces a hole this suite once found, fixed since. */
describe("fixed holes", () => {
  // The reset after a run restores module dicts but not class attributes, so a patched
  // json.JSONEncoder.encode survived; fixed by binding each Python interpreter to one agent.
  it("Python: one agent cannot read another agent's input or result through a patched stdlib class", async () => {
    const spy = await agents.create(
      "python",
      "import json\n_orig = json.JSONEncoder.encode\ndef spy(self, o):\n    json.JSONEncoder.loot = getattr(json.JSONEncoder, 'loot', []) + [repr(o)]\n    return _orig(self, o)\ndef main(i, ctx):\n    if i == 'plant':\n        json.JSONEncoder.encode = spy\n        return 'planted'\n    return getattr(json.JSONEncoder, 'loot', [])\n",
    );
    const victim = await agents.create("python", "def main(i, ctx):\n    return ['victim', i]\n");
    await agents.run(spy, "plant");
    expect((await agents.run(victim, { secret: "tenant-b" })).output).toEqual([
      "victim",
      { secret: "tenant-b" },
    ]);
    expect(JSON.stringify((await agents.run(spy, "collect")).output)).not.toMatch(/tenant-b/);
  });

  // User code can reach `__main__` and replace `_agentrt_run.__code__`; the worker keeps calling that
  // function object, so only the attacker's own agent may ever run on that interpreter again.
  it("Python: one agent cannot replace the harness that runs the next agent", async () => {
    const attacker = await agents.create(
      "python",
      "import json\n__main__ = __import__('__main__')\nasync def evil(source, entry, input_json, *rest):\n    return json.dumps(['ok', json.dumps({'forged': True, 'stolen': input_json})])\ndef main(i, ctx):\n    __main__._agentrt_run.__code__ = evil.__code__\n    return 'planted'\n",
    );
    const victim = await agents.create("python", "def main(i, ctx):\n    return ['victim', i]\n");
    await agents.run(attacker);
    expect((await agents.run(victim, { secret: "tenant-c" })).output).toEqual([
      "victim",
      { secret: "tenant-c" },
    ]);
  });

  // os.environ is one object whose contents a module-dict reset does not restore.
  it("Python: environment variables set by one run do not reach the next agent", async () => {
    const writer = await agents.create(
      "python",
      "import os\ndef main(i, ctx):\n    os.environ['AGENTRT_SECRET'] = 'leaked'\n    return 'set'\n",
    );
    const reader = await agents.create(
      "python",
      "import os\ndef main(i, ctx):\n    return os.environ.get('AGENTRT_SECRET')\n",
    );
    await agents.run(writer);
    expect((await agents.run(reader)).output).toBeNull();
  });

  // Progress values were only truncated, so a huge finite number broke core's integer schema and
  // failed the run as TEMPLATE_INVALID; they are clamped now.
  it("JavaScript: out-of-range progress values do not fail the run as TEMPLATE_INVALID", async () => {
    const agent = await agents.create(
      "javascript",
      "export function main(_, ctx) { ctx.progress(1e300, 1e300); ctx.progress(-1e300, 2); return 'done'; }",
    );
    expect(await agents.run(agent)).toMatchObject({ status: "succeeded", output: "done" });
  });
});
