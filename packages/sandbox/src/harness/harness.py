# Runs once in each Pyodide interpreter (py-worker) before any user code: process-spawning calls
# disabled, recursion depth capped, per-run fresh globals, and a best-effort reset of shared state after
# each run. The reset is not a security boundary (code can patch classes or the harness itself), which
# is why the pool binds an interpreter to one isolation key. Then py-worker calls _agentrt_seal, which
# removes Pyodide's JavaScript bridge from the interpreter (see there).
# py-worker sets _AGENTRT_SITE_ROOT (where declared packages are installed) before running this file.
import sys, os, json, builtins, inspect, traceback, asyncio, ast, subprocess, posix, types, importlib, importlib.util, shutil, time, gc, _imp

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
# Emscripten sets "_" to the interpreter's program name (py-worker passes a neutral one).
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

class _AgentrtLoop(asyncio.BaseEventLoop):
    """The event loop of `async def main`: pure Python, driven by the run itself. Pyodide's own loop
    schedules through JavaScript (setTimeout), so it cannot be offered once no JavaScript object is
    left in the interpreter. There is no I/O to wait for: waiting means sleeping until the next timer,
    in short slices so that the interrupt at the deadline is seen."""
    class _Sleeper:
        __slots__ = ()
        def select(self, timeout, clock=time):
            clock.sleep(0.01 if timeout is None else min(timeout, 0.01))
            return ()
    def __init__(self):
        super().__init__()
        self._selector = self._Sleeper()
    def _process_events(self, events):
        pass
    def _write_to_self(self):
        pass

class _AgentrtLoopPolicy(asyncio.events._BaseDefaultEventLoopPolicy):
    _loop_factory = _AgentrtLoop

def _agentrt_event_loop():
    """The current loop, or a new one when the code unset or closed it (asyncio.run does the former)."""
    try:
        loop = asyncio.get_event_loop()
        if not loop.is_closed():
            return loop
    except RuntimeError:
        pass
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop

def _agentrt_run(source, entry, input_json, max_chars, site, fetch_enabled):
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
            result = _agentrt_event_loop().run_until_complete(result)
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

def _agentrt_importable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False  # denied by the seal (see _AGENTRT_DENIED), or a broken module

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
        m in sys.stdlib_module_names and _agentrt_importable(m)))
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
    policy = asyncio.events._get_event_loop_policy()
    loops = [policy.get_event_loop()]

    def reset():
        """Undo what a run left behind in shared interpreter state, so the next run starts clean.
        Modules of declared packages stay imported: importing them again on every run would cost
        more than the run (about 200 ms for attrs + dateutil); the next run drops those of other
        bundles before it starts."""
        try:
            current = asyncio.get_event_loop()
        except Exception:
            current = loops[0]
        for loop in {loops[0], current}:
            try:
                for task in asyncio.all_tasks(loop):
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
        # The run's code may have closed or replaced the event loop (asyncio.run unsets it).
        asyncio.events._set_running_loop(None)
        if loops[0].is_closed():
            loops[0] = _AgentrtLoop()
        policy.set_event_loop(loops[0])
        sys.set_asyncgen_hooks(None, None)
    return reset

def _agentrt_uninstall(path):
    shutil.rmtree(path, ignore_errors=True)

# Modules user code may not import: Pyodide's JavaScript bridge (js, pyodide_js and the modules that
# wrap _pyodide_core), ctypes (it reaches memory and every exported wasm function, including
# emscripten_run_script) and CPython's test modules (memory access by design).
_AGENTRT_DENIED = frozenset({
    "js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "ctypes", "_ctypes", "_remote_debugging",
    "_testbuffer", "_testcapi", "_testclinic", "_testclinic_limited", "_testinternalcapi",
    "_testlimitedcapi", "_testmultiphase", "_testsinglephase", "_xxtestfuzz", "xxsubtype"})

class _AgentrtDeniedFinder:
    """First on sys.meta_path: a denied module is missing, like one this build does not ship."""
    @staticmethod
    def find_spec(name, path=None, target=None, denied=_AGENTRT_DENIED):
        if name.partition(".")[0] in denied:
            raise ModuleNotFoundError("No module named %r" % name, name=name)
        return None

def _agentrt_refuse_extension(spec, *args):
    name = str(getattr(spec, "name", "?"))
    raise ModuleNotFoundError("No module named %r" % name, name=name)

def _agentrt_seal():
    """Called once by py-worker after this file ran, before any user code: removes every
    JavaScript-side object from the interpreter. Pyodide keeps JsProxy objects to its JavaScript API
    (pyodide_js._api: its configuration with host paths, loadBinaryFile, loadDynlib...) in sys.modules,
    in module globals and in its event loop, and _pyodide_core can make new ones (to_js, JsException).
    After this, nothing reachable from Python is JavaScript, and no extension module can be created
    (the builtins user code may import are imported here first), so _pyodide_core, _ctypes and the
    test modules cannot come back. Fails (and with it the interpreter's start) if anything is left."""
    import _pyodide._core_docs as docs
    import _pyodide_core as core
    js_base = docs.JsProxy
    webloop = sys.modules.get("pyodide.webloop")
    # Pyodide's loop patches time.sleep and asyncio.run to go through JavaScript: undone, and the
    # loop replaced by one that runs in Python alone.
    if webloop is not None:
        time.sleep = webloop.__dict__.get("_orig_sleep", time.sleep)
        asyncio.run = webloop.__dict__.get("_orig_run", asyncio.run)
    asyncio.events._set_running_loop(None)
    asyncio.events._set_event_loop_policy(_AgentrtLoopPolicy())
    asyncio.set_event_loop(asyncio.new_event_loop())
    sys.set_asyncgen_hooks(None, None)
    # Every builtin module user code may import, imported now: creating one later is refused.
    for name in sys.builtin_module_names:
        if name not in _AGENTRT_DENIED and name not in sys.modules:
            try:
                importlib.import_module(name)
            except ImportError:
                pass
    extension_makers = [getattr(_imp, n) for n in ("create_builtin", "create_dynamic", "exec_builtin", "exec_dynamic")]
    for n in ("create_builtin", "create_dynamic", "exec_builtin", "exec_dynamic"):
        setattr(_imp, n, _agentrt_refuse_extension)
    sys.meta_path[:] = [_AgentrtDeniedFinder] + [f for f in sys.meta_path
        if str(getattr(f, "__module__", "")).partition(".")[0] not in _AGENTRT_DENIED]
    sys.path_importer_cache.clear()
    bridge = [m for n, m in sys.modules.items() if n.partition(".")[0] in _AGENTRT_DENIED]
    for name in [n for n in sys.modules if n.partition(".")[0] in _AGENTRT_DENIED]:
        del sys.modules[name]
    builtins.__dict__.pop("___EvalCodeResultException", None)
    # What can reach JavaScript: JsProxy objects, _pyodide_core's functions (to_js, create_proxy...)
    # and the import system's functions that create extension modules (kept only here, until now).
    core_values = [v for k, v in vars(core).items() if not k.startswith("__")]
    capabilities = {id(v): v for v in core_values if not isinstance(v, type)}
    capabilities.update((id(f), f) for f in extension_makers)
    def capability(value):
        return id(value) in capabilities or isinstance(value, js_base)
    # Removed from every dict and list that holds them: module namespaces (__main__ got _pyodide_core
    # from Pyodide's start-up), CPython's saved copy of _pyodide_core's namespace, Pyodide's own
    # runPython namespace, finder lists. Class namespaces are left alone (changing them behind the
    # type's back breaks the interpreter); the checks at the end cover them.
    objects = gc.get_objects()
    class_dicts = {id(r) for o in objects if isinstance(o, type) for r in gc.get_referents(o) if type(r) is dict}
    for obj in objects:
        if type(obj) is dict and id(obj) not in class_dicts and obj is not capabilities:
            for key in [k for k, v in obj.items() if capability(v)]:
                del obj[key]
        elif type(obj) is list and obj is not objects:
            if any(capability(v) for v in obj):
                obj[:] = [v for v in obj if not capability(v)]
        elif not isinstance(obj, type) and type(obj).__module__.partition(".")[0] in _AGENTRT_DENIED:
            # Pyodide's own finders, loaders and event loop objects.
            try:
                vars(obj).clear()
            except TypeError:
                pass
    for m in bridge:
        if isinstance(m, types.ModuleType):
            vars(m).clear()
    # _pyodide_core's own classes stay alive (its C code uses them) and reachable (JsException through
    # Exception.__subclasses__(), the converters through gc): their constructors would make a
    # JavaScript Error, their methods convert to and from JavaScript. Replaced, the originals are gone.
    def refuse(*args, **kwargs):
        raise TypeError("JavaScript objects are not available in the sandbox")
    core_types = {v for v in core_values if isinstance(v, type)}
    for cls in core_types:
        for name in [n for n in vars(cls) if n in ("__new__", "__init__", "__call__") or not n.startswith("__")]:
            try:
                setattr(cls, name, refuse)
            except TypeError:
                pass  # an immutable type (the converters): no instance of it stays reachable, checked below
    del core, core_values, docs, webloop, bridge, extension_makers, objects, class_dicts, obj, cls
    # Whatever _pyodide_core's C code itself still holds (its default call signature and the converters
    # in it) is referenced by no Python object: only gc.get_objects() could list it. Everything alive
    # now goes to the collector's permanent generation, which gc.get_objects() and gc.get_referrers()
    # do not show, and cannot come back (gc.unfreeze is removed; the gc module cannot be recreated).
    gc.collect()
    gc.freeze()
    del gc.unfreeze
    # The baseline the reset restores after each run: taken now, so it holds none of the above.
    globals()["_agentrt_reset"] = _agentrt_make_reset()
    # The check: from everything user code can start from, nothing that reaches JavaScript.
    roots = [sys.modules, vars(builtins), object.__subclasses__(), gc.get_objects()]
    seen, stack, left = set(), roots, []
    while stack:
        obj = stack.pop()
        if id(obj) in seen or obj is capabilities:
            continue
        seen.add(id(obj))
        if capability(obj) or type(obj) in core_types:
            left.append(type(obj).__name__)
        if isinstance(obj, type):
            stack.extend(type.__subclasses__(obj))
        stack.extend(gc.get_referents(obj))
    if left:
        raise RuntimeError("JavaScript objects are still reachable after sealing: %r" % left[:5])
    globals().pop("_agentrt_seal", None)

_agentrt_reset = None
