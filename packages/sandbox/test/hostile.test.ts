/**
 * Hostile user code against the public API. Every case asserts the coded error and that the host stays
 * healthy: the next run succeeds, the event loop of this (the "API server") process stays responsive.
 */
import { existsSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CompiledCode, createSandboxPool, type SandboxPool } from "../src/index.js";
import { childPids, expectCode, js, py } from "./helpers.js";

let pool: SandboxPool;
let trivialJs: CompiledCode;
let trivialPy: CompiledCode;
const lag = monitorEventLoopDelay({ resolution: 10 });

beforeAll(async () => {
  pool = createSandboxPool({ jsWorkers: 2, pythonWorkers: 1, defaults: { timeoutMs: 1_000, memoryMb: 32 } });
  trivialJs = await js("export function main(n) { return n + 1; }");
  trivialPy = await py("def main(n, ctx):\n    return n + 1\n");
  lag.enable();
});

afterAll(async () => {
  lag.disable();
  await pool.close();
  expect(childPids()).toEqual([]);
});

/** The host is healthy: a normal run succeeds and this process's event loop was never blocked. */
async function expectHealthy(language: "js" | "py" = "js"): Promise<void> {
  const compiled = language === "js" ? trivialJs : trivialPy;
  await expect(pool.run({ compiled, input: 41 })).resolves.toMatchObject({ result: 42 });
  expect(lag.max / 1e6).toBeLessThan(500);
  expect(pool.stats().crashes).toBe(0);
}

async function hostile(
  source: string,
  code: string,
  limits = {},
): Promise<Error & { details?: Record<string, unknown> }> {
  const error = await expectCode(pool.run({ compiled: await js(source), input: null, limits }), code);
  await expectHealthy();
  return error;
}

describe("JavaScript: runaway CPU and time", () => {
  it("stops an infinite loop", () => hostile("export function main() { for (;;) {} }", "TIMEOUT"));

  it("stops an infinite loop in top-level code", () =>
    hostile("for (;;) {}\nexport function main() {}", "TIMEOUT"));

  it("stops a catastrophic regular expression", () =>
    hostile(`export function main() { return /^(a+)+$/.test("a".repeat(40) + "b"); }`, "TIMEOUT"));

  it("stops a promise that never settles (only the wall-clock watchdog can)", () =>
    hostile("export function main() { return new Promise(() => {}); }", "TIMEOUT"));

  it("stops an endless promise chain", () =>
    hostile("export async function main() { for (;;) await null; }", "TIMEOUT"));

  it("stops a busy loop scheduled after an await", () =>
    hostile("export async function main() { await null; for (;;) {} }", "TIMEOUT"));

  it("discards timers and background work left behind by a finished run", async () => {
    const leaky = await js(`export function main(_, ctx) {
      setInterval(() => ctx.log("leak"), 1);
      setTimeout(() => { for (;;) {} }, 5);
      setTimeout(() => ctx.log("late"), 100000);
      return "returned";
    }`);
    const seen: string[] = [];
    await expect(
      pool.run({ compiled: leaky, input: null, onLog: (l) => seen.push(l) }),
    ).resolves.toMatchObject({
      result: "returned",
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([]);
    await expectHealthy();
  });

  it("runs timers inside the run's own time limit", async () => {
    const timed = await js(
      "export function main() { return new Promise((resolve) => { let n = 0; const t = setInterval(() => { if (++n === 3) { clearInterval(t); resolve(n); } }, 1); }); }",
    );
    await expect(pool.run({ compiled: timed, input: null })).resolves.toMatchObject({ result: 3 });
  });
});

describe("JavaScript: memory", () => {
  it("stops an array memory bomb", () =>
    hostile(
      "export function main() { const a = []; for (;;) a.push(new Array(100000).fill(1.5)); }",
      "MEMORY_LIMIT",
    ));

  it("stops a string memory bomb", () =>
    hostile(
      `export function main() { const a = []; for (;;) a.push("x".repeat(1e6) + Math.random()); }`,
      "MEMORY_LIMIT",
    ));

  it("stops an ArrayBuffer memory bomb", () =>
    hostile(
      "export function main() { const a = []; for (;;) a.push(new Uint8Array(1e7).fill(1)); }",
      "MEMORY_LIMIT",
    ));

  it("reports a stack overflow as the user's error", async () => {
    const error = await hostile(
      "function f() { return f() + 1; }\nexport function main() { return f(); }",
      "USER_CODE_ERROR",
    );
    expect(error.message).toMatch(/RangeError: Maximum call stack size exceeded/);
  });
});

describe("JavaScript: output and results", () => {
  it("refuses one huge log line", () =>
    hostile(`export function main(_, ctx) { ctx.log("x".repeat(20e6)); }`, "OUTPUT_LIMIT", {
      memoryMb: 128,
    }));

  it("stops a log flood", () =>
    hostile(`export function main(_, ctx) { for (;;) ctx.log("x".repeat(1000)); }`, "OUTPUT_LIMIT"));

  it("stops a flood of host calls", () =>
    hostile("export function main(_, ctx) { for (;;) ctx.progress(1, 2); }", "HOST_CALL_LIMIT"));

  it("refuses an oversized result", () =>
    hostile(`export function main() { return "x".repeat(2e6); }`, "RESULT_TOO_LARGE"));

  it("refuses a too deeply nested result", () =>
    hostile(
      "export function main() { let v = 1; for (let i = 0; i < 1000; i++) v = [v]; return v; }",
      "RESULT_TOO_LARGE",
    ));

  it("stops a result getter that never returns", () =>
    hostile("export function main() { return { get a() { for (;;) {} } }; }", "TIMEOUT"));

  it("reports a Proxy result whose traps throw", async () => {
    const error = await hostile(
      `export function main() { return new Proxy({}, { ownKeys() { throw new Error("trap"); } }); }`,
      "USER_CODE_ERROR",
    );
    expect(error.message).toMatch(/not JSON-serialisable: trap/);
  });

  it("reports a toJSON loop", () =>
    // A generous time limit: the loop ends in a stack overflow, which takes a while on a loaded machine.
    hostile(
      "export function main() { return { toJSON() { return { again: this }; } }; }",
      "USER_CODE_ERROR",
      {
        timeoutMs: 15_000,
      },
    ));

  it("reports a cyclic result", () =>
    hostile("export function main() { const a = {}; a.self = a; return a; }", "USER_CODE_ERROR"));

  it("copies results as plain JSON: functions, symbols and custom inspectors are dropped", async () => {
    const compiled = await js(`export function main() {
      return { keep: 1, fn() {}, [Symbol.for("nodejs.util.inspect.custom")]: () => "pwned", when: new Date(0) };
    }`);
    const { result } = await pool.run({ compiled, input: null });
    expect(result).toEqual({ keep: 1, when: "1970-01-01T00:00:00.000Z" });
  });
});

describe("JavaScript: escapes", () => {
  it("sees no require, process, module or isolated-vm handles", async () => {
    const compiled = await js(`export function main() {
      const names = ["require", "process", "module", "global", "Buffer", "ivm", "_ivm", "fetch", "WebAssembly", "__agentrt_exports"];
      return Object.fromEntries(names.map((n) => [n, typeof globalThis[n]]));
    }`);
    const { result } = await pool.run({ compiled, input: null });
    expect(result).toMatchObject({
      require: "undefined",
      process: "undefined",
      module: "undefined",
      ivm: "undefined",
    });
    expect(result).toMatchObject({ Buffer: "undefined", fetch: "undefined", __agentrt_exports: "undefined" });
  });

  it("refuses require and static imports of host modules at compile time", async () => {
    await expectCode(
      js(`const fs = require("fs");\nexport function main() { return fs; }`),
      "DEPENDENCY_NOT_ALLOWED",
    );
    await expectCode(
      js(`import fs from "node:fs";\nexport function main() { return fs; }`),
      "DEPENDENCY_NOT_ALLOWED",
    );
    await expectCode(
      js(`import x from "/etc/passwd";\nexport function main() { return x; }`),
      "DEPENDENCY_NOT_ALLOWED",
    );
    await expectCode(
      js(`export async function main() { return import("child_process"); }`),
      "DEPENDENCY_NOT_ALLOWED",
    );
  });

  it("refuses dynamic import() at run time", async () => {
    const error = await hostile(
      `export async function main() { const m = "fs"; return await import(m); }`,
      "USER_CODE_ERROR",
    );
    expect(error.message).not.toMatch(/readFile/);
  });

  it("gets only the isolate's own realm from the Function constructor", async () => {
    const compiled = await js(`export function main() {
      const F = (function () {}).constructor;
      return [F("return typeof process")(), F("return typeof require")(), ({}).constructor.constructor("return typeof this.process")()];
    }`);
    await expect(pool.run({ compiled, input: null })).resolves.toMatchObject({
      result: ["undefined", "undefined", "undefined"],
    });
  });

  it("cannot reach host objects through Error.prepareStackTrace", async () => {
    const hostPrepare = Error.prepareStackTrace;
    const compiled = await js(`export function main(_, ctx) {
      const seen = [];
      Error.prepareStackTrace = (e, frames) => {
        for (const f of frames) { try { seen.push(typeof f.getThis(), String(f.getFunction && f.getFunction())); } catch (x) { seen.push("x"); } }
        return "custom";
      };
      try { ctx.log(null, undefined); ctx.progress("a", {}); null.f(); } catch (e) { seen.push(e.stack); }
      return seen.join(",");
    }`);
    const { result } = await pool.run({ compiled, input: null });
    expect(result).not.toMatch(/process|require|Reference|native code\] \{/);
    expect(Error.prepareStackTrace).toBe(hostPrepare);
    await expectHealthy();
  });

  it("copies a booby-trapped thrown value as a capped string record", async () => {
    const error = await hostile(
      `export function main() { throw new Proxy(new Error("boom"), { get(t, k) { if (k === "stack") return "s".repeat(1e6); return Reflect.get(t, k); } }); }`,
      "USER_CODE_ERROR",
    );
    expect(String(error.details?.stack).length).toBeLessThanOrEqual(4000);
  });

  it("stops a thrown error whose stack getter never returns", () =>
    hostile(
      `export function main() { const e = {}; Object.defineProperty(e, "stack", { get() { for (;;) {} } }); throw e; }`,
      "TIMEOUT",
    ));

  it("cannot pollute the host's prototypes or leak globals into the next run", async () => {
    const polluter = await js(`export function main() {
      Object.prototype.polluted = "yes"; Array.prototype.push = null; JSON.parse = () => "hijacked"; globalThis.secret = "s3cret";
      return JSON.parse('{"__proto__": {"polluted": "proto"}}');
    }`);
    await pool.run({ compiled: polluter, input: null });
    expect(({} as { polluted?: string }).polluted).toBeUndefined();
    expect(JSON.parse("1")).toBe(1);
    const reader = await js(
      "export function main() { return [typeof globalThis.secret, ({}).polluted ?? null, typeof Array.prototype.push, JSON.parse('2')]; }",
    );
    for (let i = 0; i < 4; i++) {
      await expect(pool.run({ compiled: reader, input: null })).resolves.toMatchObject({
        result: ["undefined", null, "function", 2],
      });
    }
  });

  it("has no network access through fetch unless the operator enables it", async () => {
    const compiled = await js("export function main(_, ctx) { return typeof ctx.fetch; }");
    await expect(pool.run({ compiled, input: null })).resolves.toMatchObject({ result: "undefined" });
  });
});

describe("Python", () => {
  const pyHostile = async (source: string, code: string) => {
    const error = await expectCode(pool.run({ compiled: await py(source), input: null }), code);
    await expectHealthy("py");
    return error;
  };

  it("cannot import js or pyodide_js: refused at compile time, missing at run time", async () => {
    for (const name of ["js", "pyodide_js", "pyodide", "_pyodide"]) {
      await expectCode(py(`import ${name}\ndef main(i, ctx):\n    return 1\n`), "DEPENDENCY_NOT_ALLOWED");
    }
    // Dynamic imports pass the static check: the interpreter itself must not have the modules.
    const error = await pyHostile("def main(i, ctx):\n    return str(__import__('js'))\n", "USER_CODE_ERROR");
    expect(error.message).toMatch(/ModuleNotFoundError/);
    await pyHostile("def main(i, ctx):\n    return str(__import__('pyodide_js'))\n", "USER_CODE_ERROR");
  });

  it("cannot run host commands with os.system", async () => {
    const error = await pyHostile(
      "import os\ndef main(i, ctx):\n    return os.system('id')\n",
      "USER_CODE_ERROR",
    );
    expect(error.message).toMatch(/PermissionError/);
  });

  it("cannot start processes with subprocess", async () => {
    const error = await pyHostile(
      "import subprocess\ndef main(i, ctx):\n    return subprocess.run(['id'], capture_output=True).stdout\n",
      "USER_CODE_ERROR",
    );
    expect(error.message).toMatch(/PermissionError/);
  });

  it("cannot read host files", async () => {
    const error = await pyHostile(
      "def main(i, ctx):\n    return open('/etc/passwd').read()\n",
      "USER_CODE_ERROR",
    );
    expect(error.message).toMatch(/FileNotFoundError/);
  });

  it("cannot run host commands through ctypes: the interpreter dies, no command runs", async () => {
    const marker = join(tmpdir(), `agentrt-ctypes-${process.pid}`);
    await pyHostile(
      `import ctypes\ndef main(i, ctx):\n    return ctypes.CDLL(None).system(b'touch ${marker}')\n`,
      "SANDBOX_CRASHED",
    );
    expect(existsSync(marker)).toBe(false);
  });

  it("cannot reach the host's network", async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.end("HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nleaked");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const error = await pyHostile(
      `import urllib.request\ndef main(i, ctx):\n    return urllib.request.urlopen('http://127.0.0.1:${port}/', timeout=2).read().decode()\n`,
      "USER_CODE_ERROR",
    );
    server.close();
    expect(error.message).not.toMatch(/leaked/);
    expect(connections).toBe(0);
  });

  it("stops a busy loop", () => pyHostile("def main(i, ctx):\n    while True:\n        pass\n", "TIMEOUT"));

  it("stops a busy loop that swallows KeyboardInterrupt (the process is replaced)", () =>
    pyHostile(
      "def main(i, ctx):\n    while True:\n        try:\n            while True:\n                pass\n        except KeyboardInterrupt:\n            pass\n",
      "TIMEOUT",
    ));

  it("stops a memory bomb", () =>
    pyHostile(
      "def main(i, ctx):\n    a = []\n    while True:\n        a.append(' ' * 1000000)\n",
      "MEMORY_LIMIT",
    ));

  it("stops a print flood", () =>
    pyHostile("def main(i, ctx):\n    while True:\n        print('x' * 1000)\n", "OUTPUT_LIMIT"));

  it("stops a flood that never ends its line", () =>
    pyHostile(
      "import sys\ndef main(i, ctx):\n    while True:\n        sys.stdout.write('x' * 100000)\n        sys.stdout.flush()\n",
      "OUTPUT_LIMIT",
    ));

  it("gets an error, not a request, for forged or oversized fetch lines when fetch is off", async () => {
    const forged =
      'import sys, os, json\ndef main(i, ctx):\n    replies = []\n    for line in (\'\\x1efetch {"url": "http://127.0.0.1/", "method": "GET", "headers": {}}\', \'\\x1efetch \' + \'x\' * 1100000, \'\\x1efetch not json\'):\n        print(line, file=sys.__stderr__, flush=True)\n        replies.append(json.loads(os.read(0, 1 << 16)))\n    return replies\n';
    const { result } = await pool.run({ compiled: await py(forged), input: null });
    expect(result).toEqual([
      { error: "fetch is not enabled" },
      { error: "fetch is not enabled" },
      { error: "fetch is not enabled" },
    ]);
    await expectHealthy("py");
  });

  it("runs async def main with logs, print and progress, and cancels tasks it leaves behind", async () => {
    const compiled = await py(
      "import asyncio\nasync def forever():\n    while True:\n        await asyncio.sleep(0.001)\n        print('leak')\nasync def main(i, ctx):\n    asyncio.ensure_future(forever())\n    await asyncio.sleep(0.01)\n    ctx.log('got', i)\n    print('printed')\n    ctx.progress(1, 2)\n    return {'double': i['n'] * 2}\n",
    );
    const progress: number[][] = [];
    const out = await pool.run({ compiled, input: { n: 4 }, onProgress: (d, t) => progress.push([d, t]) });
    expect(out.result).toEqual({ double: 8 });
    expect(out.logs.filter((l) => l !== "leak")).toEqual(['got {"n": 4}', "printed"]);
    expect(progress).toEqual([[1, 2]]);
    const next = await pool.run({ compiled: trivialPy, input: 1 });
    expect(next.logs).toEqual([]);
  });

  it("does not leak state, modules or files from one run to the next", async () => {
    const writer = await py(
      "import builtins, json, os\ndef main(i, ctx):\n    builtins.secret = 's'\n    json.secret = 's'\n    open('/tmp/secret', 'w').write('s')\n    os.chdir('/tmp')\n    return 'written'\n",
    );
    await expect(pool.run({ compiled: writer, input: null })).resolves.toMatchObject({ result: "written" });
    const reader = await py(
      "import builtins, json, os\ndef main(i, ctx):\n    return [hasattr(builtins, 'secret'), hasattr(json, 'secret'), os.path.exists('/tmp/secret'), os.getcwd()]\n",
    );
    await expect(pool.run({ compiled: reader, input: null })).resolves.toMatchObject({
      result: [false, false, false, "/home/pyodide"],
    });
  });
});
