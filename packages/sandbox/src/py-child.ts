/**
 * Entry of a Python sandbox worker process (started by the pool, never imported). The interpreter runs
 * in a worker thread (py-worker) so that this thread can answer heartbeats, stop a run at its deadline
 * through Pyodide's interrupt buffer, and end the process when the code ignores the interrupt or its
 * memory grows past the limit. Self-contained on purpose (see js-child.ts).
 */
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker } from "node:worker_threads";
import type { ChildError, ChildMessage, ParentMessage } from "./protocol.js";
import type { FetchReply, WorkerReply, WorkerRequest } from "./py-worker.js";
import type { PythonPackageBundle } from "./types.js";

type Job = Extract<ParentMessage, { type: "run" } | { type: "check" }>;

const [pyodideDir = ""] = process.argv.slice(2);
const EXTENSION = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
/** Time the code gets to unwind after KeyboardInterrupt before the process gives up on it. */
const INTERRUPT_GRACE_MS = 500;
const MEMORY_POLL_MS = 25;

const send = (message: ChildMessage) => process.send?.(message);
const interrupt = new SharedArrayBuffer(4);
const interruptFlag = new Int32Array(interrupt);
// Fetch replies reach the interpreter thread while it is blocked in Python: on a port it polls
// synchronously, with a shared flag to wake it.
const fetchSignal = new SharedArrayBuffer(4);
const fetchFlag = new Int32Array(fetchSignal);
const { port1: fetchPort, port2: workerFetchPort } = new MessageChannel();
const worker = new Worker(fileURLToPath(new URL(`./py-worker${EXTENSION}`, import.meta.url)), {
  workerData: { pyodideDir, interrupt, fetchSignal, fetchPort: workerFetchPort },
  transferList: [workerFetchPort],
  env: {}, // the process already starts with an empty environment; keep the interpreter's minimal too
});

interface Active {
  job: Job;
  failure?: ChildError;
  timers: NodeJS.Timeout[];
}
let active: Active | undefined;

/** Every package bundle this process was sent: the parent sends a bundle's files only once. */
const bundles = new Map<string, PythonPackageBundle>();
function bundleOf(
  packages: NonNullable<Extract<Job, { type: "run" }>["packages"]>,
): PythonPackageBundle | undefined {
  if (packages.files) bundles.set(packages.sha256, { ...packages, files: packages.files });
  return bundles.get(packages.sha256);
}

/** Gives up on the interpreter: report the run's failure, then let the pool start a fresh process. */
function abandon(reason: string): never {
  // "retire" first, so the pool stops sending work here before it learns the run is over.
  send({ type: "retire", reason });
  if (active) send({ type: "done", id: active.job.id, error: active.failure ?? crashed(reason) });
  process.exit(0);
}

function crashed(reason: string): ChildError {
  return { code: "SANDBOX_CRASHED", message: "the Python interpreter stopped", details: { reason } };
}

function stop(run: Active, code: string, message: string, force: boolean): void {
  run.failure ??= { code, message };
  if (force) abandon(message);
  Atomics.store(interruptFlag, 0, 2);
  run.timers.push(
    setTimeout(() => abandon("the code did not stop after KeyboardInterrupt"), INTERRUPT_GRACE_MS),
  );
}

function start(job: Job): void {
  if (active) {
    send({ type: "done", id: job.id, error: crashed("a Python process runs one request at a time") });
    return;
  }
  const run: Active = { job, timers: [] };
  active = run;
  if (job.type === "check") {
    worker.postMessage({
      type: "check",
      source: job.source,
      entryPoint: job.entryPoint,
      modules: job.modules,
    } satisfies WorkerRequest);
    return;
  }
  const { limits } = job;
  const packages = job.packages && bundleOf(job.packages);
  if (job.packages && !packages) {
    active = undefined;
    send({ type: "done", id: job.id, error: crashed("the run's package bundle never reached this process") });
    return;
  }
  worker.postMessage({
    type: "run",
    source: job.code,
    entryPoint: job.entryPoint,
    inputJson: job.inputJson,
    maxLogBytes: limits.maxLogBytes,
    maxHostCalls: limits.maxHostCalls,
    maxResultBytes: limits.maxResultBytes,
    fetch: job.fetch,
    ...(packages ? { packages } : {}),
  } satisfies WorkerRequest);
  run.timers.push(
    setTimeout(
      () => stop(run, "TIMEOUT", `the code ran longer than ${limits.timeoutMs} ms`, false),
      limits.timeoutMs,
    ),
  );
  // Wasm memory is outside V8's heap limits: watch the process and kill the interpreter on growth.
  const baseline = process.memoryUsage.rss();
  const allowed = limits.memoryMb * 1048576;
  run.timers.push(
    setInterval(() => {
      if (process.memoryUsage.rss() - baseline > allowed) {
        stop(run, "MEMORY_LIMIT", `the code used more than ${limits.memoryMb} MB`, true);
      }
    }, MEMORY_POLL_MS),
  );
}

function finish(reply: Extract<WorkerReply, { type: "done" }>): void {
  const run = active;
  if (!run) return;
  const outcome = parseOutcome(reply.outcome);
  // User code can patch what the harness uses to build its reply (json.dumps, the harness itself):
  // a reply of the wrong shape fails this run and ends the interpreter, never the next run.
  if (!outcome && run.job.type === "run") abandon("the interpreter sent a malformed reply");
  active = undefined;
  for (const timer of run.timers) clearTimeout(timer);
  Atomics.store(interruptFlag, 0, 0);
  const id = run.job.id;
  const failure = run.failure ?? reply.failure;
  if (run.job.type === "check") {
    send({ type: "done", id, resultJson: reply.outcome });
  } else if (failure) {
    send({ type: "done", id, error: failure });
  } else {
    send({ type: "done", id, ...toResult(run.job, outcome!) });
  }
}

type Outcome =
  | ["ok" | "no-entry", string]
  | ["too-large" | "memory" | "interrupted", unknown]
  | ["unserialisable" | "error", { name: string; message: string; stack: string }];

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The harness's `[kind, value]` reply, or undefined when it is not one the harness can produce. */
function parseOutcome(text: unknown): Outcome | undefined {
  const json = String(text);
  if (!isJson(json)) return undefined;
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [kind, value] = parsed as [unknown, unknown];
  switch (kind) {
    case "ok":
      return typeof value === "string" && isJson(value) ? (parsed as Outcome) : undefined;
    case "no-entry":
      return typeof value === "string" ? (parsed as Outcome) : undefined;
    case "too-large":
    case "memory":
    case "interrupted":
      return parsed as Outcome;
    case "unserialisable":
    case "error": {
      const e = value as Record<string, unknown> | null;
      const valid =
        typeof e === "object" &&
        e !== null &&
        ["name", "message", "stack"].every((k) => typeof e[k] === "string");
      return valid ? (parsed as Outcome) : undefined;
    }
    default:
      return undefined;
  }
}

function toResult(
  job: Extract<Job, { type: "run" }>,
  [kind, value]: Outcome,
): { resultJson?: string; error?: ChildError } {
  const e = value as { name: string; message: string; stack: string };
  switch (kind) {
    case "ok":
      if (Buffer.byteLength(value as string) > job.limits.maxResultBytes) return { error: tooLarge(job) };
      return { resultJson: value as string };
    case "too-large":
      return { error: tooLarge(job) };
    case "no-entry":
      return {
        error: {
          code: "ENTRYPOINT_NOT_FOUND",
          message: `entry point "${job.entryPoint}" is not a function (got ${String(value)})`,
        },
      };
    case "memory":
      return { error: { code: "MEMORY_LIMIT", message: "the code ran out of memory (MemoryError)" } };
    case "interrupted":
      return { error: { code: "TIMEOUT", message: "the code was interrupted" } };
    case "unserialisable":
      return {
        error: {
          code: "USER_CODE_ERROR",
          message: `the result is not JSON-serialisable: ${e.message}`,
          details: e,
        },
      };
    default:
      return {
        error: {
          code: "USER_CODE_ERROR",
          message: `${e.name}: ${e.message}`,
          details: { name: e.name, stack: e.stack },
        },
      };
  }
}

function tooLarge(job: Extract<Job, { type: "run" }>): ChildError {
  return {
    code: "RESULT_TOO_LARGE",
    message: `the result is larger than ${job.limits.maxResultBytes} bytes`,
  };
}

worker.on("message", (reply: WorkerReply) => {
  if (reply.type === "ready") send({ type: "ready" });
  else if (reply.type === "done") finish(reply);
  else if (active) send({ ...reply, id: active.job.id });
});
worker.on("error", (error) => abandon(`interpreter error: ${String(error).slice(0, 500)}`));
worker.on("exit", (code) => abandon(`interpreter exited with code ${code}`));

process.on("message", (message: ParentMessage) => {
  switch (message.type) {
    case "run":
    case "check":
      start(message);
      break;
    case "cancel":
      if (active?.job.id === message.id) stop(active, "RUN_CANCELLED", "the run was cancelled", false);
      break;
    case "ping":
      send({ type: "pong", seq: message.seq, rssMb: Math.round(process.memoryUsage.rss() / 1048576) });
      break;
    case "fetch-result":
      if (active?.job.id === message.id) {
        const { callId, response, error } = message;
        fetchPort.postMessage({ callId, ...(response ? { response } : { error }) } satisfies FetchReply);
        Atomics.store(fetchFlag, 0, 1);
        Atomics.notify(fetchFlag, 0);
      }
      break;
  }
});
process.on("disconnect", () => process.exit(0));
