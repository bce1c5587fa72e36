/**
 * Worker thread of a Python sandbox process: owns one warm Pyodide interpreter. The process's main
 * thread (py-child) stays responsive, enforces time and memory, and interrupts or kills this thread.
 * Self-contained on purpose (see js-child.ts).
 */
import fs from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { HostFetchRequest, HostFetchResponse } from "./protocol.js";
import type { PythonPackageBundle } from "./types.js";

export type WorkerRequest =
  | {
      type: "run";
      source: string;
      entryPoint: string;
      inputJson: string;
      maxLogBytes: number;
      maxHostCalls: number;
      maxResultBytes: number;
      fetch: boolean;
      packages?: PythonPackageBundle;
    }
  | { type: "check"; source: string; entryPoint: string; modules: string[] };

export type WorkerReply =
  | { type: "ready" }
  | { type: "log"; line: string }
  | { type: "progress"; done: number; total: number }
  | { type: "fetch"; callId: number; request: HostFetchRequest }
  /** `outcome` is the harness's JSON `[kind, value]`; `failure` a limit this thread enforced itself. */
  | { type: "done"; outcome: string; failure?: { code: string; message: string } };

/** What the process's main thread posts on the fetch port: the parent's answer to one `fetch`. */
export interface FetchReply {
  callId: number;
  response?: HostFetchResponse;
  error?: string;
}

type PyProxyFn = (...args: unknown[]) => unknown;
interface Pyodide {
  runPython(code: string): unknown;
  FS: {
    mkdirTree(path: string): void;
    writeFile(path: string, data: Uint8Array): void;
    analyzePath(path: string): { exists: boolean };
  };
  setStdin(options: { read(buffer: Uint8Array): number }): void;
  globals: { get(name: string): PyProxyFn };
  setStdout(options: { write(buffer: Uint8Array): number }): void;
  setStderr(options: { write(buffer: Uint8Array): number }): void;
  setInterruptBuffer(buffer: Int32Array): void;
  unregisterJsModule(name: string): void;
}

const { pyodideDir, interrupt, fetchSignal, fetchPort } = workerData as {
  pyodideDir: string;
  interrupt: SharedArrayBuffer;
  /** Set to 1 by the main thread after it posts a fetch reply on `fetchPort`. */
  fetchSignal: SharedArrayBuffer;
  fetchPort: MessagePort;
};
const interruptFlag = new Int32Array(interrupt);
const fetchFlag = new Int32Array(fetchSignal);
const PROGRESS_FRAME = "\x1eprogress ";
const FETCH_FRAME = "\x1efetch ";
/** A fetch request line may carry a body this large (as the JS sandbox allows) plus its envelope. */
const MAX_FRAME_CHARS = 1024 * 1024 + 16 * 1024;
/** Where declared packages are installed; outside /tmp and /home/pyodide, which the reset wipes. */
const SITE_ROOT = "/lib/agentrt-site";
/** Package bundles kept installed per interpreter (an agent's revisions may differ in packages). */
const MAX_INSTALLED_BUNDLES = 4;

/**
 * Python side: process-spawning calls disabled, recursion depth capped, per-run fresh globals, and a
 * best-effort reset of shared state after each run. The reset is not a security boundary (code can
 * patch classes or the harness itself), which is why the pool binds an interpreter to one isolation key.
 */
const HARNESS = String.raw`
import sys, os, json, builtins, inspect, traceback, asyncio, ast, subprocess, posix, types, importlib, importlib.util, shutil

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

class AgentrtResponse:
    """What ctx.fetch returns: the whole response, already read (bodies are capped by the host)."""
    __slots__ = ("status", "status_text", "headers", "text")
    def __init__(self, status, status_text, headers, text):
        self.status, self.status_text, self.headers, self.text = status, status_text, headers, text
    @property
    def ok(self):
        return 200 <= self.status < 300
    def json(self):
        return json.loads(self.text)
    def __repr__(self):
        return "<AgentrtResponse %d>" % self.status

def _agentrt_make_fetch(read=os.read, dumps=json.dumps, loads=json.loads):
    # The host performs the request: the line goes out on stderr, the reply comes back on stdin, so no
    # JavaScript object is ever handed to Python.
    def fetch(self, url, method=None, headers=None, body=None, json=None):
        headers = {str(k): str(v) for k, v in dict(headers or {}).items()}
        if json is not None:
            body = dumps(json)
            if not any(k.lower() == "content-type" for k in headers):
                headers["content-type"] = "application/json"
        if isinstance(body, (bytes, bytearray)):
            body = bytes(body).decode("utf-8")
        if method is None:
            method = "GET" if body is None else "POST"
        request = {"url": str(url), "method": str(method).upper(), "headers": headers}
        if body is not None:
            request["body"] = str(body)
        print("\x1efetch " + dumps(request), file=sys.__stderr__, flush=True)
        chunks = []
        while not chunks or not chunks[-1].endswith(b"\n"):
            chunk = read(0, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        reply = loads(b"".join(chunks) or b'{"error": "no reply from the host"}')
        if "error" in reply:
            raise ConnectionError("fetch failed: " + str(reply["error"]))
        r = reply["response"]
        return AgentrtResponse(int(r["status"]), str(r["statusText"]), dict(r["headers"]), str(r["body"]))
    return fetch

class _AgentrtFetchCtx(_AgentrtCtx):
    __slots__ = ()
    fetch = _agentrt_make_fetch()

def _agentrt_describe(error):
    def cap(fn, n):
        try:
            return fn()[:n]
        except BaseException:
            return ""
    return {"name": cap(lambda: type(error).__name__, 200), "message": cap(lambda: str(error), 2000),
            "stack": cap(lambda: "".join(traceback.format_exception(error))[-4000:], 4000)}

async def _agentrt_run(source, entry, input_json, max_chars, site, fetch_enabled):
    scope = {"__name__": "__agentrt_user__", "__builtins__": builtins}
    try:
        _agentrt_forget_packages(site)
        if site:
            # No importlib.invalidate_caches() (about 30 ms in Pyodide): the reset clears
            # sys.path_importer_cache after every run, so no finder of this directory can be stale.
            sys.path.insert(0, site)
        exec(compile(source, "user_code.py", "exec"), scope)
        fn = scope.get(entry)
        if not callable(fn):
            return json.dumps(["no-entry", type(fn).__name__])
        result = fn(json.loads(input_json), _AgentrtFetchCtx() if fetch_enabled else _AgentrtCtx())
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

def _agentrt_check(source, entry, modules_json):
    try:
        tree = ast.parse(source, "user_code.py")
    except SyntaxError as error:
        return json.dumps(["syntax", {"line": error.lineno or 1, "column": error.offset or 1, "message": error.msg}])
    names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if entry not in names:
        return json.dumps(["no-entry", names])
    declared = set(json.loads(modules_json))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    # Standard library modules count only if this build ships them (Pyodide leaves some out).
    refused = sorted(m for m in imported if m not in declared and not (
        m in sys.stdlib_module_names and importlib.util.find_spec(m) is not None))
    return json.dumps(["imports", refused] if refused else ["ok", names])

def _agentrt_module_under(module, prefix):
    try:
        path = module.__file__
        return isinstance(path, str) and path.startswith(prefix)
    except BaseException:
        return False

def _agentrt_forget_packages(site):
    """Drops modules of package bundles other than site (a revision with other packages runs now)."""
    for name, module in list(sys.modules.items()):
        if _agentrt_module_under(module, "${SITE_ROOT}/") and not (site and _agentrt_module_under(module, site + "/")):
            del sys.modules[name]

def _agentrt_make_reset():
    # The baseline lives in this closure, not in __main__, since __main__ itself is restored.
    missing = object()
    base = {name: (mod, dict(mod.__dict__)) for name, mod in list(sys.modules.items())
            if isinstance(mod, types.ModuleType)}
    base_environ = dict(os.environ)
    base_recursion = sys.getrecursionlimit()
    # Lists are restored by content: resetting sys's dict keeps the same (mutated) list objects.
    base_lists = [(lst, list(lst)) for lst in (sys.path, sys.meta_path, sys.path_hooks)]
    environ, set_recursion = os.environ, sys.setrecursionlimit

    def reset():
        """Undo what a run left behind in shared interpreter state, so the next run starts clean.
        Modules of declared packages stay imported: importing them again on every run would cost
        more than the run (about 200 ms for attrs + dateutil); the next run drops those of other
        bundles before it starts."""
        try:
            for task in asyncio.all_tasks(asyncio.get_event_loop()):
                task.cancel()
        except Exception:
            pass
        for name in list(sys.modules):
            if name not in base and not _agentrt_module_under(sys.modules[name], "${SITE_ROOT}/"):
                del sys.modules[name]
        for lst, saved in base_lists:
            lst[:] = saved
        sys.path_importer_cache.clear()
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

def _agentrt_uninstall(path):
    shutil.rmtree(path, ignore_errors=True)

_agentrt_reset = None
_agentrt_reset = _agentrt_make_reset()
`;

interface RunState {
  logBytes: number;
  hostCalls: number;
  maxLogBytes: number;
  maxHostCalls: number;
  fetch: boolean;
  failure?: { code: string; message: string };
  partial: string;
  /** The fetch whose reply the next stdin read waits for. */
  awaitedFetch?: number;
  /** Bytes stdin still has to hand to Python (a fetch reply, one JSON line). */
  reply?: Uint8Array;
}

let current: RunState | undefined;
let nextFetchCall = 1;
const post = (reply: WorkerReply) => parentPort!.postMessage(reply);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function stop(state: RunState, code: string, message: string): void {
  state.failure ??= { code, message };
  Atomics.store(interruptFlag, 0, 2); // SIGINT: KeyboardInterrupt at the next bytecode check
}

/**
 * stdout and stderr become log lines; stderr lines framed as progress or fetch become those host
 * calls. Only log lines count against the output limit, so a fetch can carry a body.
 */
function writer(buffer: Uint8Array): number {
  const state = current;
  if (!state || state.failure) return buffer.length;
  const lines = (state.partial + decoder.decode(buffer, { stream: true })).split("\n");
  state.partial = lines.pop() ?? "";
  if (state.partial.length > state.maxLogBytes + MAX_FRAME_CHARS) {
    stop(state, "OUTPUT_LIMIT", `the code wrote more than ${state.maxLogBytes} bytes of output`);
    return buffer.length;
  }
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
      continue;
    }
    if (line.startsWith(FETCH_FRAME)) {
      requestFetch(state, line.slice(FETCH_FRAME.length));
      continue;
    }
    state.logBytes += Buffer.byteLength(line) + 1;
    if (state.logBytes > state.maxLogBytes) {
      stop(state, "OUTPUT_LIMIT", `the code wrote more than ${state.maxLogBytes} bytes of output`);
      return buffer.length;
    }
    post({ type: "log", line });
  }
  return buffer.length;
}

function requestFetch(state: RunState, frame: string): void {
  const request = state.fetch && frame.length <= MAX_FRAME_CHARS ? parseFetchRequest(frame) : undefined;
  if (!request) {
    const error = state.fetch ? "malformed or oversized fetch request" : "fetch is not enabled";
    state.reply = encoder.encode(`${JSON.stringify({ error })}\n`);
    return;
  }
  state.awaitedFetch = nextFetchCall++;
  post({ type: "fetch", callId: state.awaitedFetch, request });
}

function parseFetchRequest(frame: string): HostFetchRequest | undefined {
  try {
    const { url, method, headers, body } = JSON.parse(frame) as Record<string, unknown>;
    const headerValues = Object.values((headers ?? {}) as object);
    const valid =
      typeof url === "string" &&
      typeof method === "string" &&
      typeof headers === "object" &&
      headerValues.every((v) => typeof v === "string") &&
      (body === undefined || typeof body === "string");
    if (!valid) return undefined;
    return {
      url: url.slice(0, 8192),
      method: method.slice(0, 16),
      headers: headers as Record<string, string>,
      ...(body === undefined ? {} : { body }),
    };
  } catch {
    return undefined;
  }
}

/**
 * Python's stdin. Reading it while a fetch is out blocks this thread until the main thread posts the
 * reply (or the run is interrupted); otherwise it is at end of file.
 */
function readStdin(buffer: Uint8Array): number {
  const state = current;
  if (!state) return 0;
  if (!state.reply && state.awaitedFetch !== undefined) state.reply = waitForFetchReply(state.awaitedFetch);
  state.awaitedFetch = undefined;
  const reply = state.reply;
  if (!reply) return 0;
  const n = Math.min(buffer.length, reply.length);
  buffer.set(reply.subarray(0, n));
  state.reply = n < reply.length ? reply.subarray(n) : undefined;
  return n;
}

function waitForFetchReply(callId: number): Uint8Array {
  for (;;) {
    const received = receiveMessageOnPort(fetchPort)?.message as FetchReply | undefined;
    // A reply to a fetch of an earlier, stopped run can still arrive: it is dropped.
    if (received?.callId === callId) {
      const { response, error } = received;
      return encoder.encode(
        `${JSON.stringify(response ? { response } : { error: error ?? "no response" })}\n`,
      );
    }
    if (received) continue;
    if (Atomics.load(interruptFlag, 0) !== 0) return encoder.encode('{"error":"the run was stopped"}\n');
    Atomics.wait(fetchFlag, 0, 0, 50);
    Atomics.store(fetchFlag, 0, 0);
  }
}

/** Package bundles installed in this interpreter, least recently used first. */
const installed: string[] = [];

/** Writes a package bundle into the in-memory filesystem once; returns the directory to put on sys.path. */
function install(bundle: PythonPackageBundle): string {
  const dir = `${SITE_ROOT}/${bundle.sha256}`;
  const at = installed.indexOf(bundle.sha256);
  if (at >= 0) installed.splice(at, 1);
  // The agent's own code may have deleted the files in an earlier run: then they are written again.
  if (at < 0 || !pyodide.FS.analyzePath(dir).exists) {
    for (const [path, content] of Object.entries(bundle.files)) {
      const file = `${dir}/${path}`;
      pyodide.FS.mkdirTree(file.slice(0, file.lastIndexOf("/")));
      pyodide.FS.writeFile(file, Buffer.from(content, "base64"));
    }
  }
  installed.push(bundle.sha256);
  if (installed.length > MAX_INSTALLED_BUNDLES) uninstallHarness(`${SITE_ROOT}/${installed.shift()}`);
  return dir;
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
  pyodide.setStdin({ read: readStdin });
  pyodide.setInterruptBuffer(interruptFlag);
  pyodide.runPython(HARNESS);
  return pyodide;
}

const pyodide = await load();
const runHarness = pyodide.globals.get("_agentrt_run");
const checkHarness = pyodide.globals.get("_agentrt_check");
const resetHarness = pyodide.globals.get("_agentrt_reset");
const uninstallHarness = pyodide.globals.get("_agentrt_uninstall");
post({ type: "ready" });

parentPort!.on("message", async (request: WorkerRequest) => {
  if (request.type === "check") {
    const outcome = checkHarness(request.source, request.entryPoint, JSON.stringify(request.modules));
    post({ type: "done", outcome: String(outcome) });
    return;
  }
  const state: RunState = {
    logBytes: 0,
    hostCalls: 0,
    maxLogBytes: request.maxLogBytes,
    maxHostCalls: request.maxHostCalls,
    fetch: request.fetch,
    partial: "",
  };
  current = state;
  Atomics.store(interruptFlag, 0, 0);
  let outcome: string;
  try {
    const site = request.packages ? install(request.packages) : null;
    outcome = String(
      await runHarness(
        request.source,
        request.entryPoint,
        request.inputJson,
        request.maxResultBytes,
        site,
        request.fetch,
      ),
    );
  } catch (error) {
    outcome = JSON.stringify(["error", { name: "Error", message: String(error).slice(0, 2000), stack: "" }]);
  }
  if (state.partial) writer(encoder.encode("\n"));
  current = undefined;
  post({ type: "done", outcome, ...(state.failure ? { failure: state.failure } : {}) });
  Atomics.store(interruptFlag, 0, 0);
  resetHarness();
});
