/**
 * Hostile user code against the public API. Every case asserts the coded error and that the host stays
 * healthy: the next run succeeds, the event loop of this (the "API server") process stays responsive.
 */
import { existsSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CompiledCode, createSandboxPool, type SandboxPool } from "../src/index.js";
import {
  BRIDGE_MODULES,
  childPids,
  expectCode,
  expectNothingLeaked,
  hostPaths,
  js,
  lines,
  py,
} from "./helpers.js";

/** The global names a bare V8 context has (ECMAScript's), before any bootstrap runs. */
const ES_GLOBALS = runInNewContext("Object.getOwnPropertyNames(globalThis)") as string[];

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

/**
 * A wall-clock limit raised so that only the behaviour under test can stop the code, however slowly
 * a loaded machine runs it (on a busy CI host a string bomb of cons strings, and Pyodide importing
 * urllib, each took longer than the default 10 s).
 */
const roomyWallClock = { timeoutMs: 25_000 };

describe("JavaScript: memory", () => {
  it("stops an array memory bomb", () =>
    hostile(
      "export function main() { const a = []; for (;;) a.push(new Array(100000).fill(1.5)); }",
      "MEMORY_LIMIT",
      roomyWallClock,
    ));

  it("stops a string memory bomb", () =>
    hostile(
      `export function main() { const a = []; for (;;) a.push("x".repeat(1e6) + Math.random()); }`,
      "MEMORY_LIMIT",
      roomyWallClock,
    ));

  it("stops an ArrayBuffer memory bomb", () =>
    hostile(
      "export function main() { const a = []; for (;;) a.push(new Uint8Array(1e7).fill(1)); }",
      "MEMORY_LIMIT",
      roomyWallClock,
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

  it("is offered only the documented globals and ctx, and sees no host path in any stack", async () => {
    const compiled = await js(`export async function main(input, ctx) {
      const intrinsics = new Set(input);
      const extra = Object.getOwnPropertyNames(globalThis).filter((n) => !intrinsics.has(n)).sort();
      const stacks = [new Error("own").stack];
      Error.prepareStackTrace = (e, frames) => frames.map((f) => [f.getFileName(), typeof f.getFunction()]);
      try { ctx.progress({ valueOf() { throw new Error("p"); } }, 1); } catch (e) { stacks.push(e.stack); }
      try { setTimeout(() => {}, { valueOf() { throw new Error("t"); } }); } catch (e) { stacks.push(e.stack); }
      await new Promise((resolve) => setTimeout(() => { stacks.push(new Error("timer").stack); resolve(); }, 1));
      return { extra, console: Object.keys(console), moduleFunction: typeof globalThis.__agentrt_module, ctx: Object.getOwnPropertyNames(ctx), frozen: Object.isFrozen(ctx),
        proto: Object.getPrototypeOf(ctx) === Object.prototype, log: Object.getOwnPropertyNames(ctx.log).sort(), stacks };
    }`);
    const { result } = await pool.run({ compiled, input: ES_GLOBALS });
    const { stacks, ...rest } = result as { stacks: unknown[] };
    expect(rest).toEqual({
      // The code's module function stays a (non-deletable) global name, emptied before the code runs.
      extra: ["__agentrt_module", "clearInterval", "clearTimeout", "setInterval", "setTimeout"],
      // V8's own console is replaced by one that logs through ctx.
      console: ["log", "info", "warn", "error", "debug"],
      moduleFunction: "undefined",
      ctx: ["log", "progress"],
      frozen: true,
      proto: true,
      log: ["length", "name"],
    });
    // Frames are the code's own file or the bootstrap; host functions never appear as frames.
    const files = new Set(
      stacks.slice(1).flatMap((s) => (s as [string | null, string][]).map(([file]) => file)),
    );
    expect([...files].every((f) => f === null || f === "user-code.js" || f === "<isolated-vm>")).toBe(true);
    expectNothingLeaked(result);
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
  const pyHostile = async (source: string, code: string, limits = {}) => {
    const error = await expectCode(pool.run({ compiled: await py(source), input: null, limits }), code);
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

  it("cannot run host commands through ctypes: not offered, refused at compile time, missing at run time", async () => {
    const marker = join(tmpdir(), `agentrt-ctypes-${process.pid}`);
    await expectCode(
      py(`import ctypes\ndef main(i, ctx):\n    return ctypes.CDLL(None).system(b'touch ${marker}')\n`),
      "DEPENDENCY_NOT_ALLOWED",
    );
    for (const name of ["ctypes", "_ctypes"]) {
      // emscripten_run_script would hand JavaScript to eval; memmove and friends reach all of memory.
      const error = await pyHostile(
        `def main(i, ctx):\n    return __import__('${name}').CDLL(None).emscripten_run_script(b'1')\n`,
        "USER_CODE_ERROR",
      );
      expect(error.message).toMatch(new RegExp(`ModuleNotFoundError: No module named '${name}'`));
      expectNothingLeaked(error.message, error.details);
    }
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
      roomyWallClock,
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

describe("Python: no JavaScript object and no host path (Pyodide's bridge is sealed)", () => {
  const run = async (source: string, input: unknown = null, isolationKey?: string) => {
    const { result, logs } = await pool.run({
      compiled: await py(source),
      input,
      ...(isolationKey ? { isolationKey } : {}),
    });
    expectNothingLeaked(result, logs);
    await expectHealthy("py");
    return result;
  };
  const fails = async (source: string, code: string) => {
    const error = await expectCode(pool.run({ compiled: await py(source), input: null }), code);
    expectNothingLeaked(error.message, error.details);
    await expectHealthy("py");
    return error;
  };

  it("finds nothing of the bridge in sys.modules", async () => {
    const result = await run(
      lines(
        "import sys",
        "def main(i, ctx):",
        "    bridge = sorted(n for n in sys.modules if n.split('.')[0] in ('js', 'pyodide_js', 'pyodide', '_pyodide', '_pyodide_core', 'ctypes', '_ctypes'))",
        "    proxies = [n for n, m in list(sys.modules.items()) if 'JsProxy' in [c.__name__ for c in type(m).__mro__]]",
        "    return [bridge, proxies, repr(sys.modules.get('pyodide_js._api'))]",
      ),
    );
    expect(result).toEqual([[], [], "None"]);
    // The route the issue found: the internal API module, already loaded, read from sys.modules.
    const error = await fails(
      "import sys\ndef main(i, ctx):\n    return [sys.modules['pyodide_js._api'].config.indexURL]\n",
      "USER_CODE_ERROR",
    );
    expect(error.message).toMatch(/KeyError/);
  });

  it("cannot import the bridge again through __import__", async () => {
    const result = await run(
      lines(
        "def main(i, ctx):",
        "    out = {}",
        `    for name in ${JSON.stringify(BRIDGE_MODULES)}:`,
        "        try:",
        "            out[name] = 'imported ' + repr(__import__(name))",
        "        except BaseException as e:",
        "            out[name] = type(e).__name__",
        "    return out",
      ),
    );
    expect(result).toEqual(Object.fromEntries(BRIDGE_MODULES.map((name) => [name, "ModuleNotFoundError"])));
    const error = await fails(
      "def main(i, ctx):\n    return __import__('pyodide_js')._api.config.indexURL\n",
      "USER_CODE_ERROR",
    );
    expect(error.message).toMatch(/ModuleNotFoundError: No module named 'pyodide_js'/);
  });

  it("cannot import it through importlib, not even past the import hooks", async () => {
    const result = await run(
      lines(
        "import importlib, importlib.util, importlib.machinery, sys, _imp",
        "def attempt(fn):",
        "    try:",
        "        value = fn()",
        "        return 'got ' + type(value).__name__",
        "    except BaseException as e:",
        "        return type(e).__name__",
        "def main(i, ctx):",
        "    out = {}",
        `    for name in ${JSON.stringify(BRIDGE_MODULES)}:`,
        "        out['import_module ' + name] = attempt(lambda: importlib.import_module(name))",
        "        out['find_spec ' + name] = attempt(lambda: importlib.util.find_spec(name))",
        "    # Past the hooks: no finder that refuses, nothing cached, the machinery called directly.",
        "    sys.meta_path[:] = [f for f in sys.meta_path if f.__module__ in ('_frozen_importlib', '_frozen_importlib_external')]",
        "    importlib.invalidate_caches()",
        "    for name in ('_pyodide_core', '_ctypes', '_testinternalcapi'):",
        "        sys.modules.pop(name, None)",
        "        spec = importlib.machinery.ModuleSpec(name, importlib.machinery.BuiltinImporter, origin='built-in')",
        "        out['create_builtin ' + name] = attempt(lambda: _imp.create_builtin(spec))",
        "        out['create_module ' + name] = attempt(lambda: importlib.machinery.BuiltinImporter.create_module(spec))",
        "        out['import again ' + name] = attempt(lambda: importlib.import_module(name))",
        "    # The pure-Python parts of pyodide still sit in the standard library archive: without",
        "    # _pyodide_core they are inert stubs.",
        "    try:",
        "        ffi = importlib.import_module('pyodide.ffi')",
        "        out['stub'] = [ffi.IN_PYODIDE, attempt(lambda: ffi.to_js({}))]",
        "    except BaseException as e:",
        "        out['stub'] = type(e).__name__",
        "    return out",
      ),
      null,
      // Its own interpreter: the stubs it imports stay there.
      "importlib-past-hooks",
    );
    const outcomes = result as Record<string, unknown>;
    for (const name of BRIDGE_MODULES) {
      expect(outcomes[`import_module ${name}`], name).toBe("ModuleNotFoundError");
      expect(outcomes[`find_spec ${name}`], name).toBe("ModuleNotFoundError");
    }
    for (const name of ["_pyodide_core", "_ctypes", "_testinternalcapi"]) {
      expect(outcomes[`create_builtin ${name}`], name).toBe("ModuleNotFoundError");
      expect(outcomes[`create_module ${name}`], name).toBe("ModuleNotFoundError");
      expect(outcomes[`import again ${name}`], name).toBe("ModuleNotFoundError");
    }
    expect(JSON.stringify(outcomes.stub)).not.toMatch(/got JsProxy|true/);
  });

  it("reaches no JavaScript object and no host path from anything gc can show", async () => {
    // The paths go in reversed, so that the walk does not find the input itself.
    const reversed = hostPaths().map((path) => [...path].reverse().join(""));
    const result = await run(
      lines(
        "import gc, sys, builtins",
        "BRIDGE = ('JsProxy', 'Js2PyConverter', 'Py2JsConverter', 'JsFuncSignature')",
        "def main(i, ctx):",
        "    needles = [p[::-1] for p in i]",
        "    roots = [sys.modules, vars(builtins), object.__subclasses__(), gc.get_objects()]",
        "    seen, stack, js, paths, count = set(), roots, [], [], 0",
        "    while stack:",
        "        obj = stack.pop()",
        "        if id(obj) in seen:",
        "            continue",
        "        seen.add(id(obj))",
        "        count += 1",
        "        kind = type(obj)",
        "        if any(c.__name__ in BRIDGE for c in kind.__mro__) or (kind.__name__ == 'builtin_function_or_method' and obj.__module__ == '_pyodide_core'):",
        "            js.append(kind.__name__)",
        "        if kind is str and any(n in obj for n in needles) and not any(obj is n for n in needles):",
        "            paths.append(len(obj))",
        "        if isinstance(obj, type):",
        "            stack.extend(type.__subclasses__(obj))",
        "        stack.extend(gc.get_referents(obj))",
        "    # JsException is still a class (Pyodide's C code uses it) but can no longer make a JavaScript Error.",
        "    made = []",
        "    for cls in [c for c in Exception.__subclasses__() if c.__name__ == 'JsException']:",
        "        try:",
        "            made.append(repr(cls('TypeError', 'x')))",
        "        except TypeError:",
        "            pass",
        "    return [count > 10000, js, paths, made]",
      ),
      reversed,
    );
    expect(result).toEqual([true, [], [], []]);
  });

  it("reads no host path from the interpreter's state, its modules or a traceback", async () => {
    const result = (await run(
      lines(
        "import sys, os, sysconfig, traceback, json",
        "def main(i, ctx):",
        "    __main__ = sys.modules['__main__']",
        "    try:",
        "        json.loads('{')",
        "    except ValueError as e:",
        "        tb = ''.join(traceback.format_exception(e))",
        "    harness = [v.__code__.co_filename for v in vars(__main__).values() if hasattr(v, '__code__')]",
        "    files = sorted({str(getattr(m, '__file__', None)) for m in list(sys.modules.values())})",
        "    return {",
        "        'sys': [sys.executable, getattr(sys, '_base_executable', ''), sys.orig_argv, sys.argv, sys.prefix, sys.exec_prefix, sys.path],",
        "        'environ': dict(os.environ), 'main': getattr(__main__, '__file__', None), 'harness': sorted(set(harness)),",
        "        'files': files, 'config': {k: str(v) for k, v in sysconfig.get_config_vars().items()}, 'traceback': tb,",
        "    }",
      ),
    )) as { sys: unknown[]; environ: Record<string, string>; main: unknown; harness: string[] };
    expect(result.sys.slice(0, 3)).toEqual(["", "", ["python"]]);
    expect(result.environ).not.toHaveProperty("_");
    expect(result.main).toBeNull();
    expect(result.harness).toEqual(["<exec>"]);
  });

  it("gets tracebacks of its errors that name no host path", async () => {
    const error = await fails(
      "import json, asyncio\nasync def main(i, ctx):\n    await asyncio.sleep(0)\n    return json.loads('{')\n",
      "USER_CODE_ERROR",
    );
    expect(String(error.details?.stack)).toMatch(/user_code\.py", line 4, in main/);
  });

  it("runs async code on an event loop of its own: sleeps, gathers, asyncio.run", async () => {
    const result = await run(
      lines(
        "import asyncio",
        "async def twice(x):",
        "    await asyncio.sleep(0.005)",
        "    return x * 2",
        "async def main(i, ctx):",
        "    loop = asyncio.get_running_loop()",
        "    return [type(loop).__module__.startswith('pyodide'), await asyncio.gather(twice(1), twice(3))]",
      ),
    );
    expect(result).toEqual([false, [2, 6]]);
    const syncMain =
      "import asyncio\nasync def twice(x):\n    await asyncio.sleep(0.005)\n    return x * 2\ndef main(i, ctx):\n    return asyncio.run(twice(i))\n";
    expect(await run(syncMain, 2)).toBe(4);
    // asyncio.run at the top level leaves no current loop behind: async main still gets one.
    const topLevel =
      "import asyncio\nasync def f():\n    return 1\nFIRST = asyncio.run(f())\nasync def main(i, ctx):\n    await asyncio.sleep(0)\n    return FIRST + 1\n";
    expect(await run(topLevel)).toBe(2);
  });

  it("stops an await that never completes", () =>
    fails(
      "import asyncio\nasync def main(i, ctx):\n    await asyncio.get_running_loop().create_future()\n",
      "TIMEOUT",
    ));
});
