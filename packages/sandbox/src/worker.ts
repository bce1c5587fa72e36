import type { ChildProcess } from "node:child_process";
import type {
  ChildError,
  ChildMessage,
  HostFetchRequest,
  HostFetchResponse,
  ParentMessage,
} from "./protocol.js";

type Request = Extract<ParentMessage, { type: "run" } | { type: "check" }>;
type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, "id"> : never) : never;
export type Done = Extract<ChildMessage, { type: "done" }>;

export interface RequestHandlers {
  onLog?(line: string): void;
  onProgress?(done: number, total: number): void;
  onFetch?(request: HostFetchRequest): Promise<HostFetchResponse>;
}

/** Why the host killed a sandbox child, in a few bounded classes. */
export type KillReason = "deadline" | "heartbeat" | "closed" | "error";

function killReason(reason: string): KillReason {
  if (reason.startsWith("a run overran")) return "deadline";
  if (reason.startsWith("no heartbeat")) return "heartbeat";
  if (reason === "pool closed") return "closed";
  return "error";
}

export interface WorkerOptions {
  spawn(): ChildProcess;
  heartbeatMs: number;
  /** How long the child may take to report ready (Pyodide needs ~2 s; more on a loaded machine). */
  startupMs: number;
  /** Called once when the child is gone; `crashed` is false for exits the pool or the child planned. */
  onExit(worker: SandboxWorker, crashed: boolean, reason: string): void;
  /** The host killed the child (hung, overran, unreachable); for metrics by reason. */
  onKill?(reason: KillReason): void;
  onReady(worker: SandboxWorker): void;
}

export interface SandboxWorker {
  readonly pid: number | undefined;
  readonly active: number;
  readonly runs: number;
  readonly rssMb: number;
  readonly state: "starting" | "ready" | "draining" | "dead";
  /** Sends one request; resolves with the child's `done`, or with SANDBOX_CRASHED if the child dies. */
  request(body: RequestBody, handlers?: RequestHandlers): { id: number; done: Promise<Done> };
  cancel(id: number): void;
  /** Stop taking work; exit when idle. */
  drain(): void;
  /** Kill now (hung or crashed child); in-flight requests fail with SANDBOX_CRASHED. */
  kill(reason: string): void;
}

interface Pending {
  resolve(done: Done): void;
  handlers: RequestHandlers;
}

const STDERR_TAIL = 2000;
let nextRequestId = 1;

/** Supervises one sandbox child: request routing, heartbeats, and turning its death into failed requests. */
export function createSandboxWorker(options: WorkerOptions): SandboxWorker {
  const child = options.spawn();
  const pending = new Map<number, Pending>();
  let state: SandboxWorker["state"] = "starting";
  let runs = 0;
  let rssMb = 0;
  let stderrTail = "";
  let planned: string | undefined;
  let lastSign = Date.now();
  let seq = 0;

  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
  });

  /** Package bundles whose files this child already has (it keeps every one it was sent). */
  const sentBundles = new Set<string>();
  const withoutSentFiles = (body: RequestBody): RequestBody => {
    if (body.type !== "run" || !body.packages?.files) return body;
    const { sha256 } = body.packages;
    if (!sentBundles.has(sha256)) {
      sentBundles.add(sha256);
      return body;
    }
    const { files: _sent, ...packages } = body.packages;
    return { ...body, packages };
  };

  const post = (message: ParentMessage) => {
    if (child.connected)
      child.send(message, (error) => error && worker.kill(`send failed: ${error.message}`));
  };

  const heartbeat = setInterval(() => {
    const silentFor = Date.now() - lastSign;
    const allowed = state === "starting" ? options.startupMs : options.heartbeatMs * 3;
    if (silentFor > allowed) worker.kill(`no heartbeat for ${silentFor} ms`);
    else if (state !== "starting") post({ type: "ping", seq: ++seq });
  }, options.heartbeatMs);
  heartbeat.unref();

  const finish = (id: number, done: Done) => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    runs += 1;
    entry.resolve(done);
    if (state === "draining" && pending.size === 0) stop("drained");
  };

  const stop = (reason: string) => {
    planned ??= reason;
    if (child.connected) child.disconnect();
    // A child that ignores the disconnect (stuck in native code) is killed shortly after.
    setTimeout(() => child.kill("SIGKILL"), 2_000).unref();
  };

  child.on("message", (message: ChildMessage) => {
    lastSign = Date.now();
    switch (message.type) {
      case "ready":
        if (state === "starting") {
          state = "ready";
          options.onReady(worker);
        }
        break;
      case "pong":
        rssMb = message.rssMb;
        break;
      case "log":
        pending.get(message.id)?.handlers.onLog?.(message.line);
        break;
      case "progress":
        pending.get(message.id)?.handlers.onProgress?.(message.done, message.total);
        break;
      case "fetch": {
        const onFetch = pending.get(message.id)?.handlers.onFetch;
        const reply = (result: { response?: HostFetchResponse; error?: string }) =>
          post({ type: "fetch-result", id: message.id, callId: message.callId, ...result });
        if (!onFetch) reply({ error: "fetch is not enabled" });
        else
          onFetch(message.request).then(
            (response) => reply({ response }),
            (error: Error) => reply({ error: error.message }),
          );
        break;
      }
      case "done":
        finish(message.id, message);
        break;
      case "retire":
        planned ??= message.reason;
        if (state !== "dead") state = "draining";
        break;
    }
  });

  child.on("exit", (code, signal) => {
    clearInterval(heartbeat);
    const wasStarting = state === "starting";
    state = "dead";
    const inFlight = pending.size;
    const detail = `${planned ?? "unexpected exit"} (code ${code}, signal ${signal})${stderrTail ? `: ${stderrTail.trim().slice(-500)}` : ""}`;
    const error: ChildError = {
      code: "SANDBOX_CRASHED",
      message: "the sandbox process ended during the run",
      details: { reason: detail },
    };
    for (const [id, entry] of pending) {
      pending.delete(id);
      entry.resolve({ type: "done", id, error });
    }
    const crashed = inFlight > 0 || planned === undefined || wasStarting;
    options.onExit(worker, crashed, detail);
  });
  child.on("error", (error) => worker.kill(`process error: ${error.message}`));

  const worker: SandboxWorker = {
    get pid() {
      return child.pid;
    },
    get active() {
      return pending.size;
    },
    get runs() {
      return runs;
    },
    get rssMb() {
      return rssMb;
    },
    get state() {
      return state;
    },
    request(body, handlers = {}) {
      const id = nextRequestId++;
      const done = new Promise<Done>((resolve) => pending.set(id, { resolve, handlers }));
      post({ ...withoutSentFiles(body), id } as Request);
      return { id, done };
    },
    cancel(id) {
      if (pending.has(id)) post({ type: "cancel", id });
    },
    drain() {
      if (state === "dead") return;
      state = "draining";
      if (pending.size === 0) stop("recycled");
    },
    kill(reason) {
      if (state === "dead") return;
      options.onKill?.(killReason(reason));
      planned = undefined;
      stderrTail = `${reason}; ${stderrTail}`.slice(-STDERR_TAIL);
      child.kill("SIGKILL");
    },
  };
  return worker;
}
