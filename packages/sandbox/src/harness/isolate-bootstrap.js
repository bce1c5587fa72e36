// Evaluated by js-child in every isolate before user code (a classic script: its value is this
// function). js-child calls it with host callbacks and limits; it builds ctx, console, timers and the
// runner, and returns [run, fire, deliver].
(hostLog, hostProgress, hostTimer, hostFetch, maxCrossingChars, maxStack) => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: evaluated as a classic script, so not strict by default
  "use strict";
  // WebAssembly memory lives outside the isolate heap, so memoryLimit does not cover it: a run could
  // commit gigabytes. User code is promised only input, ctx, console and timers.
  delete globalThis.WebAssembly;
  const stringify = JSON.stringify,
    parse = JSON.parse,
    Str = String,
    Num = Number;
  const format = (v) => {
    if (typeof v === "string") return v;
    try {
      const s = stringify(v);
      return s === undefined ? Str(v) : s;
    } catch {
      try {
        return Str(v);
      } catch {
        return "[unprintable]";
      }
    }
  };
  // Lines and request bodies are cut inside the isolate, so one call cannot push a heap-sized string
  // into this process (shared by other runs); the byte limits are enforced on the host side.
  const log = (...args) => {
    hostLog(args.map(format).join(" ").slice(0, maxCrossingChars));
  };
  const progress = (done, total) => {
    hostProgress(Num(done), Num(total));
  };
  const timers = new Map();
  let nextTimer = 1;
  const addTimer = (fn, ms, repeat, args) => {
    if (typeof fn !== "function") throw new TypeError("timer callback must be a function");
    const id = nextTimer++;
    timers.set(id, { fn, args, repeat });
    hostTimer(id, Num(ms) || 0, repeat);
    return id;
  };
  const clearTimer = (id) => {
    timers.delete(Num(id));
  };
  globalThis.setTimeout = (fn, ms, ...args) => addTimer(fn, ms, false, args);
  globalThis.setInterval = (fn, ms, ...args) => addTimer(fn, ms, true, args);
  globalThis.clearTimeout = clearTimer;
  globalThis.clearInterval = clearTimer;
  globalThis.console = Object.freeze({ log, info: log, warn: log, error: log, debug: log });
  const ctxFields = { log, progress };
  const fetches = new Map();
  let nextFetch = 1;
  const deliver = (callId, replyJson) => {
    const resolve = fetches.get(callId);
    fetches.delete(callId);
    if (resolve) resolve(replyJson);
  };
  if (hostFetch) {
    ctxFields.fetch = async (url, init = {}) => {
      const headers = {};
      for (const [k, v] of Object.entries(init.headers ?? {})) headers[Str(k)] = Str(v);
      const body = init.body == null ? undefined : Str(init.body);
      if (body !== undefined && body.length > maxCrossingChars) throw new TypeError("fetch body too large");
      const request = {
        url: Str(url).slice(0, 8192),
        method: Str(init.method ?? "GET").slice(0, 16),
        headers,
        body,
      };
      const callId = nextFetch++;
      const replyJson = await new Promise((resolve) => {
        fetches.set(callId, resolve);
        hostFetch(callId, stringify(request));
      });
      const reply = parse(replyJson);
      if (reply.error) throw new TypeError("fetch failed: " + reply.error);
      const r = reply.response;
      return Object.freeze({
        status: r.status,
        statusText: r.statusText,
        ok: r.status >= 200 && r.status < 300,
        headers: Object.freeze({ get: (name) => r.headers[Str(name).toLowerCase()] ?? null }),
        text: async () => r.body,
        json: async () => parse(r.body),
      });
    };
  }
  const ctx = Object.freeze(ctxFields);
  const cap = (v, n) => {
    try {
      return Str(v).slice(0, n);
    } catch {
      return "";
    }
  };
  const describe = (e) => {
    if (e === null || (typeof e !== "object" && typeof e !== "function"))
      return { name: "Error", message: cap(e, 2000), stack: "" };
    return { name: cap(e.name, 200), message: cap(e.message, 2000), stack: cap(e.stack, maxStack) };
  };
  const fire = (id) => {
    const t = timers.get(id);
    if (!t) return false;
    if (!t.repeat) timers.delete(id);
    t.fn(...t.args);
    return t.repeat;
  };
  const run = async (entryPoint, inputJson, maxResultChars) => {
    try {
      const load = globalThis.__agentrt_module;
      // The code's module function is not part of what the code is offered (the isolate runs once).
      globalThis.__agentrt_module = undefined;
      const exported = typeof load === "function" ? load() : undefined;
      const fn = exported == null ? undefined : exported[entryPoint];
      if (typeof fn !== "function") return ["no-entry", typeof fn];
      const result = await fn(parse(inputJson), ctx);
      let json;
      try {
        json = stringify(result);
      } catch (e) {
        return ["unserialisable", describe(e)];
      }
      if (json === undefined) json = "null";
      if (json.length > maxResultChars) return ["too-large", json.length];
      return ["ok", json];
    } catch (e) {
      return ["error", describe(e)];
    }
  };
  return [run, fire, deliver];
};
