/**
 * Worker thread of a Python sandbox process: owns one warm Pyodide interpreter. The process's main
 * thread (py-child) stays responsive, enforces time and memory, and interrupts or kills this thread.
 * Self-contained on purpose (see js-child.ts).
 */
import fs from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

export type WorkerRequest =
  | {
      type: "run";
      source: string;
      entryPoint: string;
      inputJson: string;
      maxLogBytes: number;
      maxHostCalls: number;
      maxResultBytes: number;
    }
  | { type: "check"; source: string; entryPoint: string };

export type WorkerReply =
  | { type: "ready" }
  | { type: "log"; line: string }
  | { type: "progress"; done: number; total: number }
  /** `outcome` is the harness's JSON `[kind, value]`; `failure` a limit this thread enforced itself. */
  | { type: "done"; outcome: string; failure?: { code: string; message: string } };

type PyProxyFn = (...args: unknown[]) => unknown;
interface Pyodide {
  runPython(code: string): unknown;
  globals: { get(name: string): PyProxyFn };
  setStdout(options: { write(buffer: Uint8Array): number }): void;
  setStderr(options: { write(buffer: Uint8Array): number }): void;
  setInterruptBuffer(buffer: Int32Array): void;
  unregisterJsModule(name: string): void;
}

const { pyodideDir, interrupt } = workerData as { pyodideDir: string; interrupt: SharedArrayBuffer };
const interruptFlag = new Int32Array(interrupt);
const PROGRESS_FRAME = "\x1eprogress ";

/**
 * Python side: process-spawning calls disabled, recursion depth capped, per-run fresh globals, and a
 * best-effort reset of shared state after each run. The reset is not a security boundary (code can
 * patch classes or the harness itself), which is why the pool binds an interpreter to one isolation key.
 */
const HARNESS = String.raw`
import sys, os, json, builtins, inspect, traceback, asyncio, ast, subprocess, posix, types

def _agentrt_deny(*args, **kwargs):
    raise PermissionError("starting processes is not allowed in the sandbox")

for _m, _names in ((os, ("system", "popen", "execv", "execve", "execl", "execle", "execlp", "execvp", "execvpe",
        "spawnv", "spawnve", "spawnl", "spawnle", "fork", "forkpty", "posix_spawn", "posix_spawnp", "kill")),
        (posix, ("system", "execv", "execve", "fork", "posix_spawn", "posix_spawnp", "kill"))):
    for _n in _names:
        if hasattr(_m, _n):
            setattr(_m, _n, _agentrt_deny)
subprocess.Popen = _agentrt_deny
try:
    import _posixsubprocess
    _posixsubprocess.fork_exec = _agentrt_deny
except ImportError:
    pass
for _name in ("js", "pyodide_js"):
    sys.modules.pop(_name, None)
# Emscripten sets "_" to the path of this worker's script on the host.
os.environ.pop("_", None)

def _agentrt_clamp_recursion(set_limit, most):
    def setrecursionlimit(limit):
        # Deeper Python recursion overflows the wasm stack and kills the interpreter.
        set_limit(min(limit, most))
    return setrecursionlimit
sys.setrecursionlimit = _agentrt_clamp_recursion(sys.setrecursionlimit, 3000)

def _agentrt_fmt(value):
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except Exception:
        return repr(value)

class _AgentrtCtx:
    __slots__ = ()
    def log(self, *args):
        print(" ".join(_agentrt_fmt(a) for a in args), file=sys.__stdout__, flush=True)
    def progress(self, done, total):
        print("\x1eprogress %r %r" % (float(done), float(total)), file=sys.__stderr__, flush=True)

def _agentrt_describe(error):
    def cap(fn, n):
        try:
            return fn()[:n]
        except BaseException:
            return ""
    return {"name": cap(lambda: type(error).__name__, 200), "message": cap(lambda: str(error), 2000),
            "stack": cap(lambda: "".join(traceback.format_exception(error))[-4000:], 4000)}

async def _agentrt_run(source, entry, input_json, max_chars):
    scope = {"__name__": "__agentrt_user__", "__builtins__": builtins}
    try:
        exec(compile(source, "user_code.py", "exec"), scope)
        fn = scope.get(entry)
        if not callable(fn):
            return json.dumps(["no-entry", type(fn).__name__])
        result = fn(json.loads(input_json), _AgentrtCtx())
        if inspect.isawaitable(result):
            result = await result
        try:
            out = json.dumps(result, allow_nan=False)
        except (TypeError, ValueError, RecursionError) as error:
            return json.dumps(["unserialisable", _agentrt_describe(error)])
        if len(out) > max_chars:
            return json.dumps(["too-large", len(out)])
        return json.dumps(["ok", out])
    except MemoryError:
        return json.dumps(["memory", ""])
    except KeyboardInterrupt:
        return json.dumps(["interrupted", ""])
    except BaseException as error:
        return json.dumps(["error", _agentrt_describe(error)])

def _agentrt_check(source, entry):
    try:
        tree = ast.parse(source, "user_code.py")
    except SyntaxError as error:
        return json.dumps(["syntax", {"line": error.lineno or 1, "column": error.offset or 1, "message": error.msg}])
    names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return json.dumps(["ok" if entry in names else "no-entry", names])

def _agentrt_make_reset():
    # The baseline lives in this closure, not in __main__, since __main__ itself is restored.
    missing = object()
    base = {name: (mod, dict(mod.__dict__)) for name, mod in list(sys.modules.items())
            if isinstance(mod, types.ModuleType)}
    base_environ = dict(os.environ)
    base_recursion = sys.getrecursionlimit()
    environ, set_recursion = os.environ, sys.setrecursionlimit

    def reset():
        """Undo what a run left behind in shared interpreter state, so the next run starts clean."""
        try:
            for task in asyncio.all_tasks(asyncio.get_event_loop()):
                task.cancel()
        except Exception:
            pass
        for name in list(sys.modules):
            if name not in base:
                del sys.modules[name]
        for name, (mod, saved) in base.items():
            sys.modules[name] = mod
            current = mod.__dict__
            if len(current) != len(saved) or any(current.get(k, missing) is not v for k, v in saved.items()):
                current.clear()
                current.update(saved)
        for top in ("/tmp", "/home/pyodide"):
            for root, dirs, files in os.walk(top, topdown=False):
                for f in files:
                    os.unlink(os.path.join(root, f))
                for d in dirs:
                    os.rmdir(os.path.join(root, d))
        os.chdir("/home/pyodide")
        if dict(environ) != base_environ:
            environ.clear()
            environ.update(base_environ)
        set_recursion(base_recursion)
    return reset

_agentrt_reset = None
_agentrt_reset = _agentrt_make_reset()
`;

interface RunState {
  logBytes: number;
  hostCalls: number;
  maxLogBytes: number;
  maxHostCalls: number;
  failure?: { code: string; message: string };
  partial: string;
}

let current: RunState | undefined;
const post = (reply: WorkerReply) => parentPort!.postMessage(reply);
const decoder = new TextDecoder();

function stop(state: RunState, code: string, message: string): void {
  state.failure ??= { code, message };
  Atomics.store(interruptFlag, 0, 2); // SIGINT: KeyboardInterrupt at the next bytecode check
}

/** stdout and stderr become log lines; stderr lines framed as progress become progress events. */
function writer(buffer: Uint8Array): number {
  const state = current;
  if (!state || state.failure) return buffer.length;
  state.logBytes += buffer.length;
  if (state.logBytes > state.maxLogBytes) {
    stop(state, "OUTPUT_LIMIT", `the code wrote more than ${state.maxLogBytes} bytes of output`);
    return buffer.length;
  }
  const lines = (state.partial + decoder.decode(buffer)).split("\n");
  state.partial = lines.pop() ?? "";
  for (const line of lines) {
    state.hostCalls += 1;
    if (state.hostCalls > state.maxHostCalls) {
      stop(state, "HOST_CALL_LIMIT", `the code made more than ${state.maxHostCalls} host calls`);
      return buffer.length;
    }
    if (line.startsWith(PROGRESS_FRAME)) {
      const [done, total] = line.slice(PROGRESS_FRAME.length).split(" ").map(Number);
      if (Number.isFinite(done) && Number.isFinite(total))
        post({ type: "progress", done: done!, total: total! });
    } else {
      post({ type: "log", line });
    }
  }
  return buffer.length;
}

async function load(): Promise<Pyodide> {
  // Pyodide asks for process.binding('constants') at start-up, which the permission model denies.
  const proc = process as unknown as { binding(name: string): unknown };
  const original = proc.binding.bind(process);
  proc.binding = (name) => (name === "constants" ? { fs: fs.constants, os: os.constants } : original(name));
  const { loadPyodide } = (await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href)) as {
    loadPyodide(options: object): Promise<Pyodide>;
  };
  // jsglobals: {} so `import js` could never see this realm's globals; the harness removes the module too.
  const pyodide = await loadPyodide({ indexURL: `${pyodideDir}/`, jsglobals: {} });
  pyodide.unregisterJsModule("js");
  pyodide.unregisterJsModule("pyodide_js");
  pyodide.setStdout({ write: writer });
  pyodide.setStderr({ write: writer });
  pyodide.setInterruptBuffer(interruptFlag);
  pyodide.runPython(HARNESS);
  return pyodide;
}

const pyodide = await load();
const runHarness = pyodide.globals.get("_agentrt_run");
const checkHarness = pyodide.globals.get("_agentrt_check");
const resetHarness = pyodide.globals.get("_agentrt_reset");
post({ type: "ready" });

parentPort!.on("message", async (request: WorkerRequest) => {
  if (request.type === "check") {
    post({ type: "done", outcome: String(checkHarness(request.source, request.entryPoint)) });
    return;
  }
  const state: RunState = {
    logBytes: 0,
    hostCalls: 0,
    maxLogBytes: request.maxLogBytes,
    maxHostCalls: request.maxHostCalls,
    partial: "",
  };
  current = state;
  Atomics.store(interruptFlag, 0, 0);
  let outcome: string;
  try {
    outcome = String(
      await runHarness(request.source, request.entryPoint, request.inputJson, request.maxResultBytes),
    );
  } catch (error) {
    outcome = JSON.stringify(["error", { name: "Error", message: String(error).slice(0, 2000), stack: "" }]);
  }
  if (state.partial) writer(new TextEncoder().encode("\n"));
  current = undefined;
  post({ type: "done", outcome, ...(state.failure ? { failure: state.failure } : {}) });
  Atomics.store(interruptFlag, 0, 0);
  resetHarness();
});
