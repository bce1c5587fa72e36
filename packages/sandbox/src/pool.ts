import { availableParallelism } from "node:os";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import { context } from "@opentelemetry/api";
import { createBoundWorkers } from "./bound-workers.js";
import { toRunError } from "./child-error.js";
import { resolvePackageDirs, spawnSandboxChild } from "./child-process.js";
import { createHostFetch } from "./host-fetch.js";
import { detectNetworkIsolation } from "./isolation.js";
import { resolveLimits } from "./limits.js";
import { parseResultJson } from "./result.js";
import type { SandboxPool, SandboxPoolOptions, SandboxRunRequest, SandboxRunResult } from "./types.js";
import type { Done, KillReason } from "./worker.js";
import { createWorkerGroup, type Job } from "./worker-group.js";

/** Extra wall time a child gets beyond the run's limit before the pool treats it as hung. */
const JS_GRACE_MS = 2_000;
const PY_GRACE_MS = 3_000;
const JS_CHILD_HEAP_MB = 256;
const PY_CHILD_HEAP_MB = 512;
/** Python runs without an isolation key share one key (and so an interpreter) among themselves. */
const DEFAULT_ISOLATION_KEY = "";

/**
 * Starts the supervised sandbox processes. The calling process never loads isolated-vm or Pyodide:
 * it only routes requests, enforces deadlines from outside, and re-checks what comes back.
 */
export function createSandboxPool(options: SandboxPoolOptions = {}): SandboxPool {
  const defaults = resolveLimits(options.defaults);
  const onEvent = options.onEvent ?? (() => undefined);
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  const allowList = options.fetchAllowList ?? [];
  const hostFetch =
    allowList.length > 0
      ? createHostFetch({ allowList, allowInternal: options.fetchAllowInternal ?? [] })
      : undefined;
  const dirs = resolvePackageDirs();
  const isolation = detectNetworkIsolation();
  if (isolation.prefix.length > 0) onEvent(`sandbox isolation: ${isolation.description}`);
  // Losing a layer must never be silent: without onEvent, it becomes a process warning.
  else
    (options.onEvent ?? ((m: string) => process.emitWarning(m, { code: "AGENTRT_SANDBOX_NETWORK" })))(
      `sandbox isolation: ${isolation.description}`,
    );
  let crashes = 0;
  const kills: Partial<Record<KillReason, number>> = {};
  const onKill = (reason: KillReason) => {
    kills[reason] = (kills[reason] ?? 0) + 1;
  };
  let activeRuns = 0;

  const jsWorkers = options.jsWorkers ?? Math.min(2, availableParallelism());
  let closed = false;
  const js = createWorkerGroup({
    kind: "js",
    size: jsWorkers,
    concurrency: 4,
    spawn: () =>
      spawnSandboxChild({
        kind: "js",
        heapMb: JS_CHILD_HEAP_MB,
        args: [`${dirs.isolatedVm}/isolated-vm.js`, String(defaults.memoryMb), hostFetch ? "1" : "0"],
      }),
    heartbeatMs,
    startupMs: 15_000,
    maxRuns: options.maxRunsPerWorker ?? 1_000,
    maxRssMb: options.maxWorkerRssMb ?? 512,
    onEvent,
    onCrash: () => crashes++,
    onKill,
  });
  const pythonWorkers = options.pythonWorkers ?? 1;
  // Python interpreters cannot be reset safely between runs, so each is bound to one isolation key.
  // The group holds the warm unbound spares; `bound` the interpreters serving one key each.
  const python = createWorkerGroup({
    kind: "python",
    size: pythonWorkers,
    concurrency: 1,
    spawn: () => spawnSandboxChild({ kind: "python", heapMb: PY_CHILD_HEAP_MB, args: [dirs.pyodide] }),
    heartbeatMs,
    startupMs: 60_000,
    maxRuns: options.maxRunsPerWorker ?? 200,
    maxRssMb: options.maxWorkerRssMb ?? 1_024,
    onEvent,
    onCrash: () => crashes++,
    onKill,
    onAvailable: () => bound.spareReady(),
    onGiveUp: (error) => bound.failQueued(error),
  });
  const bound = createBoundWorkers({
    spares: python,
    maxBound: pythonWorkers,
    maxRuns: options.maxRunsPerWorker ?? 200,
    maxRssMb: options.maxWorkerRssMb ?? 1_024,
  });

  async function run(req: SandboxRunRequest): Promise<SandboxRunResult> {
    const started = performance.now();
    const limits = resolveLimits(defaults, req.limits);
    const isPython = req.compiled.language === "python";
    // A group between a crash and its replacement has no live worker yet, but its runs just wait.
    if (closed || (isPython ? pythonWorkers : jsWorkers) === 0) {
      throw new AgentrtError(
        ErrorCode.NOT_READY,
        `this sandbox pool has no ${isPython ? "Python" : "JavaScript"} workers`,
      );
    }
    const inputJson = encodeInput(req.input);
    req.signal?.throwIfAborted();
    const logs: string[] = [];
    let logBytes = 0;
    // The child's calls arrive on the worker's channel: they run in the caller's (trace) context.
    const caller = context.active();
    activeRuns++;
    let job!: Job;
    const done = new Promise<Done>((resolve) => {
      job = {
        body: {
          type: "run",
          code: req.compiled.code,
          entryPoint: req.compiled.entryPoint,
          inputJson,
          limits,
          fetch: hostFetch !== undefined,
          ...(req.compiled.pythonPackages ? { packages: req.compiled.pythonPackages } : {}),
        },
        handlers: {
          onLog: (line) => {
            // The child enforces the limit and fails the run; this only guards against a broken child.
            logBytes += Buffer.byteLength(line) + 1;
            if (logBytes > limits.maxLogBytes) return;
            logs.push(line);
            req.onLog?.(line);
          },
          ...(req.onProgress ? { onProgress: req.onProgress } : {}),
          ...(hostFetch ? { onFetch: context.bind(caller, hostFetch) } : {}),
        },
        deadlineMs: limits.timeoutMs + (isPython ? PY_GRACE_MS : JS_GRACE_MS),
        resolve,
      };
    });
    const onAbort = () => {
      if (isPython ? bound.withdraw(job) : js.withdraw(job))
        job.resolve({
          type: "done",
          id: 0,
          error: { code: "RUN_CANCELLED", message: "the run was cancelled" },
        });
      else job.cancel?.();
    };
    req.signal?.addEventListener("abort", onAbort, { once: true });
    if (isPython) bound.submit(req.isolationKey ?? DEFAULT_ISOLATION_KEY, job);
    else js.submit(job);
    try {
      const reply = await done;
      if (reply.error) throw toRunError(reply.error);
      return {
        result: parseResultJson(reply.resultJson ?? "null", limits),
        logs,
        durationMs: performance.now() - started,
      };
    } finally {
      activeRuns--;
      req.signal?.removeEventListener("abort", onAbort);
    }
  }

  return {
    run,
    stats: () => ({
      jsWorkers: js.live,
      pythonWorkers: python.live + bound.bound,
      pythonSpares: python.live,
      pythonBound: bound.bound,
      activeRuns,
      crashes,
      kills: { ...kills },
    }),
    async close() {
      closed = true;
      bound.failQueued({ code: "SANDBOX_CRASHED", message: "the sandbox pool is closed" });
      await Promise.all([js.close(), python.close()]);
    },
  };
}

function encodeInput(input: unknown): string {
  try {
    return JSON.stringify(input ?? null) ?? "null";
  } catch (error) {
    throw new AgentrtError(
      ErrorCode.BAD_REQUEST,
      `the run input is not JSON-serialisable: ${(error as Error).message}`,
    );
  }
}
