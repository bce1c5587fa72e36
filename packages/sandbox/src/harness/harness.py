# Runs once in each Pyodide interpreter (py-worker) before any user code: process-spawning calls
# disabled, recursion depth capped, per-run fresh globals, and a best-effort reset of shared state after
# each run. The reset is not a security boundary (code can patch classes or the harness itself), which
# is why the pool binds an interpreter to one isolation key.
# py-worker sets _AGENTRT_SITE_ROOT (where declared packages are installed) before running this file.
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

def _agentrt_forget_packages(site, root=_AGENTRT_SITE_ROOT + "/"):
    """Drops modules of package bundles other than site (a revision with other packages runs now)."""
    for name, module in list(sys.modules.items()):
        if _agentrt_module_under(module, root) and not (site and _agentrt_module_under(module, site + "/")):
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
    site_root = _AGENTRT_SITE_ROOT + "/"

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
            if name not in base and not _agentrt_module_under(sys.modules[name], site_root):
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
