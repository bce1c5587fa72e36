/**
 * Entry of a JS sandbox worker process (started by the pool, never imported). Runs each request in its
 * own isolated-vm isolate, used once and disposed. Self-contained on purpose: it runs as a separate
 * program (Node strips the types when run from src in tests) and shares only types with the pool.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type IvmNamespace from "isolated-vm";
import type { ChildError, ChildMessage, HostFetchResponse, ParentMessage } from "./protocol.js";
import type { SandboxLimits } from "./types.js";

type Ivm = typeof IvmNamespace;
type RunMessage = Extract<ParentMessage, { type: "run" }>;

const [ivmPath = "isolated-vm", warmMemoryArg = "64", fetchArg = "0"] = process.argv.slice(2);
const ivm = createRequire(import.meta.url)(ivmPath) as Ivm;
const WARM_MEMORY_MB = Number(warmMemoryArg);
const FETCH_ENABLED = fetchArg === "1";
const MAX_STACK = 4000;
const WARM_SLOTS = 2;
const MAX_CROSSING_CHARS = 1024 * 1024;

/** Runs inside every isolate before user code. Next to this file in src/ and, copied by tsup, in dist/. */
const BOOTSTRAP = readFileSync(new URL("./harness/isolate-bootstrap.js", import.meta.url), "utf8");

interface Slot {
  isolate: IvmNamespace.Isolate;
  context: IvmNamespace.Context;
  run: IvmNamespace.Reference;
  fire: IvmNamespace.Reference;
  deliver: IvmNamespace.Reference;
  memoryMb: number;
  state?: RunState;
}

interface RunState {
  id: number;
  limits: SandboxLimits;
  slot: Slot;
  deadline: number;
  hostCalls: number;
  logBytes: number;
  failure?: ChildError;
  timers: Set<NodeJS.Timeout>;
  fetches: Map<number, { slot: Slot; callId: number }>;
}

const send = (message: ChildMessage) => process.send?.(message);
const running = new Map<number, RunState>();
const warm: Slot[] = [];
let nextFetchCall = 1;

/** Builds an isolate with the bootstrap applied. Synchronous: it runs no user code and takes about 1.5 ms. */
function createSlot(memoryMb: number): Slot {
  const isolate = new ivm.Isolate({
    memoryLimit: memoryMb,
    // V8 lost control of an isolate: nothing in this process can be trusted any more.
    onCatastrophicError: (message) => {
      send({ type: "retire", reason: `catastrophic isolate error: ${message}` });
      process.exit(70);
    },
  });
  const context = isolate.createContextSync();
  const slot = { isolate, context, memoryMb } as Slot;
  const factory = context.evalSync(BOOTSTRAP, { reference: true }) as IvmNamespace.Reference;
  const bootstrapArgs = [
    new ivm.Callback((line: unknown) => onLog(slot, line)),
    new ivm.Callback((done: unknown, total: unknown) => onProgress(slot, done, total)),
    new ivm.Callback((id: unknown, ms: unknown, repeat: unknown) => onTimer(slot, id, ms, repeat)),
    FETCH_ENABLED
      ? new ivm.Callback((callId: unknown, request: unknown) => onFetch(slot, callId, request))
      : undefined,
    MAX_CROSSING_CHARS,
    MAX_STACK,
  ];
  const pair = factory.applySync(undefined, bootstrapArgs, {
    result: { reference: true },
  }) as IvmNamespace.Reference;
  slot.run = pair.getSync(0, { reference: true }) as IvmNamespace.Reference;
  slot.fire = pair.getSync(1, { reference: true }) as IvmNamespace.Reference;
  slot.deliver = pair.getSync(2, { reference: true }) as IvmNamespace.Reference;
  factory.release();
  pair.release();
  return slot;
}

/**
 * Keeps WARM_SLOTS unused isolates ready so a run does not pay for isolate set-up. Each is used by
 * exactly one run and then disposed; refilling happens between messages, one isolate per tick.
 */
let refillScheduled = false;
function refillWarm(): void {
  if (refillScheduled || warm.length >= WARM_SLOTS) return;
  refillScheduled = true;
  setImmediate(() => {
    refillScheduled = false;
    try {
      warm.push(createSlot(WARM_MEMORY_MB));
    } catch {
      return; // the next run creates its own isolate and reports the error
    }
    refillWarm();
  });
}

function takeSlot(memoryMb: number): Slot {
  const index = warm.findIndex((slot) => slot.memoryMb === memoryMb);
  return index >= 0 ? warm.splice(index, 1)[0]! : createSlot(memoryMb);
}

/** Records the first failure of a run and stops its isolate; the pending call then rejects. */
function fail(state: RunState, code: string, message: string): void {
  state.failure ??= { code, message };
  setImmediate(() => {
    if (!state.slot.isolate.isDisposed) state.slot.isolate.dispose();
  });
}

function countHostCall(state: RunState): boolean {
  state.hostCalls += 1;
  if (state.hostCalls <= state.limits.maxHostCalls) return true;
  fail(state, "HOST_CALL_LIMIT", `the code made more than ${state.limits.maxHostCalls} host calls`);
  return false;
}

function onLog(slot: Slot, line: unknown): void {
  const state = slot.state;
  if (!state || state.failure || !countHostCall(state)) return;
  const text = String(line);
  state.logBytes += Buffer.byteLength(text) + 1;
  if (state.logBytes > state.limits.maxLogBytes) {
    fail(state, "OUTPUT_LIMIT", `the code logged more than ${state.limits.maxLogBytes} bytes`);
    return;
  }
  send({ type: "log", id: state.id, line: text });
}

function onProgress(slot: Slot, done: unknown, total: unknown): void {
  const state = slot.state;
  if (!state || state.failure || !countHostCall(state)) return;
  if (
    typeof done === "number" &&
    typeof total === "number" &&
    Number.isFinite(done) &&
    Number.isFinite(total)
  ) {
    send({ type: "progress", id: state.id, done, total });
  }
}

function onTimer(slot: Slot, id: unknown, ms: unknown, repeat: unknown): void {
  const state = slot.state;
  if (!state || state.failure || !countHostCall(state)) return;
  const delay = Math.min(Math.max(Number(ms) || 0, 0), state.limits.timeoutMs);
  const tick = () => {
    const left = state.deadline - performance.now();
    if (state.failure || slot.isolate.isDisposed || left <= 0) return;
    slot.fire.apply(undefined, [id], { timeout: Math.max(1, Math.floor(left)) }).then(
      (again) => {
        if (again === true) arm();
      },
      () => undefined, // an error thrown by a timer callback has nowhere to go, as in a browser
    );
  };
  const arm = () => {
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      tick();
    }, delay);
    state.timers.add(timer);
  };
  if (repeat === true || repeat === false) arm();
}

/** The parent performs the fetch (this process has no network); the reply is delivered into the isolate. */
function onFetch(slot: Slot, callId: unknown, request: unknown): void {
  const state = slot.state;
  if (!state || state.failure || !countHostCall(state)) return;
  state.fetches.set(nextFetchCall, { slot, callId: Number(callId) });
  send({ type: "fetch", id: state.id, callId: nextFetchCall++, request: JSON.parse(String(request)) });
}

function onFetchResult(message: Extract<ParentMessage, { type: "fetch-result" }>): void {
  const state = running.get(message.id);
  const target = state?.fetches.get(message.callId);
  if (!state || !target || state.failure) return;
  state.fetches.delete(message.callId);
  const reply: { response?: HostFetchResponse; error?: string } = message.error
    ? { error: message.error }
    : { response: message.response! };
  target.slot.deliver
    .apply(undefined, [target.callId, JSON.stringify(reply)], { timeout: remaining(state) })
    .catch(() => undefined); // the isolate is gone or over time: the run reports that
}

function remaining(state: RunState): number {
  return Math.max(1, Math.floor(state.deadline - performance.now()));
}

async function run(message: RunMessage): Promise<void> {
  const started = performance.now();
  const { limits } = message;
  const slot = takeSlot(limits.memoryMb);
  const state: RunState = {
    id: message.id,
    limits,
    slot,
    deadline: started + limits.timeoutMs,
    hostCalls: 0,
    logBytes: 0,
    timers: new Set(),
    fetches: new Map(),
  };
  slot.state = state;
  running.set(message.id, state);
  // isolated-vm's `timeout` does not cover awaited promises: this watchdog is what bounds wall time.
  const watchdog = setTimeout(
    () => fail(state, "TIMEOUT", `the code ran longer than ${limits.timeoutMs} ms`),
    limits.timeoutMs,
  );
  let reply: ChildMessage;
  try {
    // Compiling and running the script only defines the module function: no user code runs yet.
    slot.isolate
      .compileScriptSync(message.code, { filename: "user-code.js" })
      .runSync(slot.context, { release: true });
    const outcome = (await slot.run.apply(
      undefined,
      [message.entryPoint, message.inputJson, limits.maxResultBytes],
      {
        result: { promise: true, copy: true },
        timeout: remaining(state),
      },
    )) as [string, unknown];
    reply = state.failure
      ? { type: "done", id: message.id, error: state.failure }
      : toReply(message, outcome);
  } catch (error) {
    reply = { type: "done", id: message.id, error: state.failure ?? classify(slot, error) };
  } finally {
    clearTimeout(watchdog);
    for (const timer of state.timers) clearTimeout(timer);
    running.delete(message.id);
    slot.state = undefined;
  }
  send(reply);
  // Disposed right after replying (not before) to keep it off the latency path; it must still happen
  // now, since code the run left behind (a detached async loop) may still be executing.
  if (!slot.isolate.isDisposed) slot.isolate.dispose();
  refillWarm();
}

function toReply(message: RunMessage, [kind, value]: [string, unknown]): ChildMessage {
  const id = message.id;
  switch (kind) {
    case "ok": {
      const json = value as string;
      if (Buffer.byteLength(json) > message.limits.maxResultBytes) return tooLarge(message);
      return { type: "done", id, resultJson: json };
    }
    case "too-large":
      return tooLarge(message);
    case "no-entry":
      return {
        type: "done",
        id,
        error: {
          code: "ENTRYPOINT_NOT_FOUND",
          message: `entry point "${message.entryPoint}" is not a function (got ${String(value)})`,
        },
      };
    case "unserialisable": {
      const e = value as { message: string };
      return {
        type: "done",
        id,
        error: {
          code: "USER_CODE_ERROR",
          message: `the result is not JSON-serialisable: ${e.message}`,
          details: value as Record<string, unknown>,
        },
      };
    }
    default: {
      const e = value as { name: string; message: string; stack: string };
      if (e.name === "RangeError" && /allocation failed/i.test(e.message)) {
        return {
          type: "done",
          id,
          error: { code: "MEMORY_LIMIT", message: `the code ran out of memory: ${e.message}` },
        };
      }
      return {
        type: "done",
        id,
        error: {
          code: "USER_CODE_ERROR",
          message: `${e.name}: ${e.message}`,
          details: { name: e.name, stack: e.stack },
        },
      };
    }
  }
}

function tooLarge(message: RunMessage): ChildMessage {
  return {
    type: "done",
    id: message.id,
    error: {
      code: "RESULT_TOO_LARGE",
      message: `the result is larger than ${message.limits.maxResultBytes} bytes`,
    },
  };
}

/** Maps isolated-vm's own errors (not the user's: those come back as data from the runner). */
function classify(slot: Slot, error: unknown): ChildError {
  const text = error instanceof Error ? error.message : String(error);
  if (/memory limit/i.test(text))
    return { code: "MEMORY_LIMIT", message: `the code used more than ${slot.memoryMb} MB` };
  if (/timed out/i.test(text)) return { code: "TIMEOUT", message: "the code ran past its time limit" };
  if (/disposed/i.test(text))
    return { code: "SANDBOX_CRASHED", message: "the isolate was lost during the run" };
  return { code: "USER_CODE_ERROR", message: text.slice(0, 2000) };
}

process.on("message", (message: ParentMessage) => {
  switch (message.type) {
    case "run":
      run(message).catch((error) =>
        send({
          type: "done",
          id: message.id,
          error: { code: "SANDBOX_CRASHED", message: String(error).slice(0, 500) },
        }),
      );
      break;
    case "cancel": {
      const state = running.get(message.id);
      if (state) fail(state, "RUN_CANCELLED", "the run was cancelled");
      break;
    }
    case "fetch-result":
      onFetchResult(message);
      break;
    case "ping":
      send({ type: "pong", seq: message.seq, rssMb: Math.round(process.memoryUsage.rss() / 1048576) });
      break;
  }
});
process.on("disconnect", () => process.exit(0));
try {
  warm.push(createSlot(WARM_MEMORY_MB));
  send({ type: "ready" });
  refillWarm();
} catch (error) {
  send({ type: "retire", reason: `isolated-vm failed to start: ${String(error)}` });
  process.exit(1);
}
