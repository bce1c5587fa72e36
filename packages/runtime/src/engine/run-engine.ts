import type { Logger, RunContext, TemplateContext } from "@agentrt/core";
import { AgentrtError, ErrorCode, type RunError, toErrorInfo } from "@agentrt/core";
import { type Context, context } from "@opentelemetry/api";
import { parseRunInput } from "../config.js";
import { createId, nowIso } from "../ids.js";
import type { InstalledTemplate } from "../installed-template.js";
import type { TemplateRegistry } from "../registry.js";
import { type RunEventPayload, type StoredRunEvent, TERMINAL_RUN_STATUSES } from "../run-events.js";
import { type AgentRecord, RunHeldElsewhere, type RunRecord, type Store } from "../store.js";
import { qualifyError } from "../template-errors.js";
import { createAgentInstances, type InstanceLease } from "./agent-instances.js";
import { canonicalJson } from "./canonical-json.js";
import { relayRemoteEvents } from "./cluster-relay.js";
import { driveTemplate } from "./drive-template.js";
import { createEventHub } from "./event-hub.js";
import { followRun, followRunBatches } from "./follow-run.js";
import { type LeaseKeeper, startLeaseKeeper } from "./lease-keeper.js";
import { currentLogFields, type LogFields, restoreLogFields, silentLogger, withFields } from "./logging.js";
import { recoverRuns } from "./recovery.js";
import { createRunChannel, type RunChannel } from "./run-channel.js";
import { createRunJournal, type RunOutcome, runEnding } from "./run-journal.js";
import { createRunQueue } from "./run-queue.js";
import { loadRunSource, type RunSource, sourceFromAgent } from "./run-source.js";
import {
  type RunObserver,
  type RunProbe,
  runTraceParent,
  startRunProbe,
  storedTraceContext,
} from "./run-telemetry.js";
import { startWhenReady } from "./thread-turn.js";
import { createUnstoredLedger } from "./unstored-ledger.js";
import { createWebhookSender, type WebhookOptions, type WebhookSender } from "./webhooks.js";

export interface RunEngineOptions {
  store: Store;
  registry: TemplateRegistry;
  /** The context a template's `create` gets: its operator settings and declared services. */
  context: (template: InstalledTemplate) => TemplateContext;
  /**
   * Defaults: 16 runs at once, 4 per agent, 1000 waiting (in this node's queue). On a store shared
   * by several nodes (`store.leases`) the runs at once, in all and per agent, count every node's.
   */
  concurrency?: { global?: number; perAgent?: number; maxQueued?: number };
  /** Timeout of a run that asks for none (default 300 000 ms). */
  defaultTimeoutMs?: number;
  /** Largest timeout a run may ask for (default 3 600 000 ms). */
  maxTimeoutMs?: number;
  /** Needed for runs with a `webhookUrl`; without it such runs are rejected. */
  webhooks?: WebhookOptions;
  /** How long a template may run on after its signal fired before the engine ends the run anyway (default 250 ms). */
  abortGraceMs?: number;
  /** Deepest chain of `invokeAgent` calls (default 5); stops agents invoking each other forever. */
  maxInvokeDepth?: number;
  /**
   * On a store shared by several nodes (`store.leases`): how long this node's lease lasts without
   * renewal, so how soon the runs of a killed node are taken over (default 30 000 ms).
   */
  leaseMs?: number;
  /**
   * Whether this engine executes runs (default true). An API-only node (`false`, shared stores
   * only) stores the runs it accepts, held by no node, and tells the executing nodes.
   */
  execute?: boolean;
  logger?: Logger;
  /** Metrics hooks of the host. */
  observer?: RunObserver;
}

export interface SubmitRunOptions {
  /** The agent as currently stored; the run is pinned to this revision. */
  agent: AgentRecord;
  input: unknown;
  threadId?: string | null;
  scheduleId?: string | null;
  /** The same key for the same agent within 24 h returns the first run (`created: false`). */
  idempotencyKey?: string | null;
  webhookUrl?: string | null;
  timeoutMs?: number;
  /** Use this id instead of a fresh one (the scheduler claims a tick for a run id before submitting). */
  runId?: string;
}

/** A submission that passed every check that needs no store: made by `RunEngine.prepare`. */
export interface PreparedRun extends SubmitRunOptions {
  readonly $$prepared: true;
  readonly source: RunSource;
  /** Parsed by the template's input schema. */
  readonly input: unknown;
  readonly timeoutMs: number;
}

/**
 * A run executed without a journal (OpenAI's `store` convention for stateless chat completions):
 * nothing about it is written anywhere, so a crash leaves nothing behind and nothing to recover.
 */
export interface UnstoredRun {
  readonly id: string;
  /**
   * Its events, numbered from 1 as a stored run's, ending after `run.finished`, or quietly when
   * `signal` fires. For one consumer.
   */
  events(signal?: AbortSignal): AsyncIterable<StoredRunEvent>;
  /**
   * Settles when the run is over and its slot is free, with the tokens of its `usage` events (as
   * `store.runs.tokensUsed` counts a stored run's).
   */
  readonly done: Promise<{ tokensUsed: number }>;
  /** Cancels it, queued or running; harmless once it ended. */
  cancel(): void;
}

export interface ExecuteOptions {
  /** Whether the caller reads `output.delta` events (default true); see `RunContext.outputDeltas`. */
  outputDeltas?: boolean;
}

function isPrepared(submit: SubmitRunOptions | PreparedRun): submit is PreparedRun {
  return (submit as Partial<PreparedRun>).$$prepared === true;
}

export interface RunEngine {
  /** Crash recovery, then re-queues runs stored as `queued`. */
  start(): Promise<void>;
  /**
   * Accepts a run. Throws AGENT_PAUSED, VALIDATION_FAILED (input or timeout), QUEUE_FULL,
   * TEMPLATE_VERSION_NOT_FOUND, or IDEMPOTENCY_CONFLICT (same key, different input).
   */
  submit(options: SubmitRunOptions | PreparedRun): Promise<{ run: RunRecord; created: boolean }>;
  /**
   * Executes a run without storing it: the same queue and concurrency limits, timeout,
   * cancellation, metrics and trace as a stored run, but its events go only to the caller. Throws
   * QUEUE_FULL like `submit`. Not for runs on a thread, with an idempotency key or a webhook:
   * those need the journal.
   */
  execute(prepared: PreparedRun, options?: ExecuteOptions): UnstoredRun;
  /**
   * The checks of `submit` that need no store (paused agent, template installed, input, timeout,
   * webhooks), so a caller can validate before it takes a thread's admission lease.
   */
  prepare(options: SubmitRunOptions): PreparedRun;
  /**
   * The egress check of a webhook URL with its host resolved (`prepare` checks only what needs no
   * DNS). VALIDATION_FAILED at `webhookUrl` when refused, or when webhooks are not configured.
   */
  checkWebhookUrl(url: string): Promise<void>;
  /** Resolves with the terminal record; RUN_NOT_FOUND for unknown runs; rejects with the signal's reason. */
  wait(runId: string, signal?: AbortSignal): Promise<RunRecord>;
  /**
   * Events with `seq > afterSeq`: stored ones, then live ones, ending after `run.finished`.
   * Throws RUN_NOT_FOUND on first iteration for an unknown run.
   */
  follow(runId: string, afterSeq: number, signal?: AbortSignal): AsyncIterable<StoredRunEvent>;
  /**
   * `follow` in batches: a store page, or the live events that arrived since the last batch. Every
   * follower of a run gets the same event objects, so a fan-out can serialize each once.
   */
  followBatches(runId: string, afterSeq: number, signal?: AbortSignal): AsyncIterable<StoredRunEvent[]>;
  /** Cancels a queued or running run and resolves with its terminal record. */
  cancel(runId: string): Promise<RunRecord>;
  /**
   * Drops cached instances of an agent (updated or deleted) but those of `keepRevision`; runs in
   * progress keep theirs.
   */
  invalidateAgent(agentId: string, keepRevision?: number): Promise<void>;
  stats(): { running: number; queued: number };
  /**
   * Tokens of the agent's ended unstored runs that finished at or after `since` (ISO) and are not
   * in the store yet: their usage records are written in batches (`store.runs.recordUnstored`).
   */
  unrecordedTokens(agentId: string, since: string): number;
  /** Stops accepting runs, interrupts running ones, disposes instances. Queued runs stay queued. */
  close(): Promise<void>;
}

/**
 * When a queued run read from the store (accepted by another node, or before a restart) was queued,
 * on this process's clock: its creation, the only time the store keeps. A run another node put back
 * in the queue after an interruption counts its first execution as waiting too.
 */
function queuedSince(run: RunRecord): number {
  return performance.now() - Math.max(0, Date.now() - Date.parse(run.createdAt));
}

interface Job {
  runId: string;
  agentId: string;
  run: RunRecord;
  /** Known for fresh submissions; loaded from the store for recovered runs. */
  source: RunSource | undefined;
  /** How many `invokeAgent` calls deep this run is (0 for runs submitted from outside). */
  depth: number;
  /** The submitter's log fields (its request id), so the run's lines name the request. */
  logFields?: LogFields | undefined;
  /** `performance.now()` when the run was queued (for a run read from the store, see `queuedSince`). */
  queuedAt?: number | undefined;
  /** The submitter's live trace context: an unstored run never leaves this process. */
  trace?: Context | undefined;
  /** An unstored run's events go here instead of the journal. */
  channel?: RunChannel | undefined;
  /** Called when an unstored run is over. */
  ended?: (() => void) | undefined;
  /** Tokens an unstored run's `usage` events reported. */
  tokensUsed?: number;
  /** False when nobody reads the run's deltas (unstored, not streamed). */
  outputDeltas?: boolean;
}

/** Where a job's lifecycle goes: the journal for stored runs, the channel for unstored ones. */
interface RunSink {
  /** Marks the run started; false when it ended elsewhere before it started (nothing to run). */
  start(signal: AbortSignal): Promise<boolean>;
  append(event: RunEventPayload): Promise<unknown>;
  finish(outcome: RunOutcome): Promise<Pick<RunRecord, "status" | "error">>;
  /** Cut short by shutdown. */
  interrupt(source: RunSource | undefined): Promise<void>;
}

/** `lost`: another node took the run over (this node's lease lapsed, e.g. a stalled process). */
type AbortReason = "cancel" | "timeout" | "shutdown" | "lost";

interface ActiveRun {
  controller: AbortController;
  reason: AbortReason | undefined;
  /** Set once the template is done; a late cancel or timeout no longer changes the outcome. */
  settled: boolean;
  timeoutMs: number;
}

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** The shortest run time limit a request may ask for (the API schema says the same). */
const MIN_TIMEOUT_MS = 100;

/**
 * How long a cancel waits for the node holding a run (on a shared store) to end it, before ending it
 * itself: then no live node holds the run. Well above the time a live node takes to hear the request.
 */
const CANCEL_HANDOFF_MS = 5000;

function abortError(reason: AbortReason, timeoutMs: number): AgentrtError {
  if (reason === "cancel") return new AgentrtError(ErrorCode.RUN_CANCELLED, "the run was cancelled");
  if (reason === "timeout") {
    return new AgentrtError(ErrorCode.RUN_TIMEOUT, `the run exceeded its timeout of ${timeoutMs} ms`);
  }
  if (reason === "lost") {
    return new AgentrtError(ErrorCode.RUN_INTERRUPTED, "another node took the run over from this one");
  }
  return new AgentrtError(ErrorCode.RUN_INTERRUPTED, "the server shut down while the run was running");
}

function runError(error: AgentrtError): RunError {
  return { code: error.code, message: error.message };
}

export function createRunEngine(options: RunEngineOptions): RunEngine {
  const { store, registry } = options;
  const logger = options.logger ?? silentLogger;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 300_000;
  const maxTimeoutMs = options.maxTimeoutMs ?? 3_600_000;
  const graceMs = options.abortGraceMs ?? 250;
  const maxDepth = options.maxInvokeDepth ?? 5;
  const hub = createEventHub();
  // A stalled node whose run was taken over stops it here, writing nothing more.
  const journal = createRunJournal(store, hub, (runId) => abortRun(runId, "lost"));
  const instances = createAgentInstances(options.context, logger);
  const webhooks =
    options.webhooks && createWebhookSender(options.webhooks, journal, logger, options.observer);
  const ledger = createUnstoredLedger(store.runs, logger);
  const active = new Map<string, ActiveRun>();
  /** Unstored runs not yet over, queued or running: shutdown must end their followers. */
  const unstored = new Map<string, Job>();
  const executions = new Set<Promise<void>>();
  const globalLimit = options.concurrency?.global ?? 16;
  const clusterLimits = { global: globalLimit, perAgent: options.concurrency?.perAgent ?? 4 };
  const queue = createRunQueue<Job>(
    {
      global: globalLimit,
      perAgent: clusterLimits.perAgent,
      maxQueued: options.concurrency?.maxQueued ?? 1000,
    },
    (job) => execute(job),
    // A thread's runs take turns, so two messages never interleave in its memory.
    (job) => job.run.threadId ?? undefined,
  );
  let closed = false;
  let leaseKeeper: LeaseKeeper | undefined;
  const executes = options.execute ?? true;
  if (!executes && !store.leases) {
    throw new AgentrtError(
      ErrorCode.BAD_REQUEST,
      "only a store shared by several nodes (PostgreSQL) has API-only nodes",
    );
  }
  // On a store shared by several nodes: hear other nodes' events and cancel requests.
  const { bus } = store;
  // A run lost to another node is that node's to publish, even while it still winds down here.
  const relay =
    bus &&
    relayRemoteEvents(
      store,
      bus,
      hub,
      (runId) => active.has(runId) && active.get(runId)?.reason !== "lost",
      logger,
    );
  const unsubscribeBus = bus
    ? [
        () => relay?.stop(),
        bus.onCancelRequest((runId) => {
          cancelHere(runId).catch((error: unknown) =>
            logger.warn("could not cancel a run on request", { runId, error: String(error) }),
          );
        }),
      ]
    : [];

  async function finish(runId: string, outcome: RunOutcome): Promise<RunRecord> {
    const { run, finished } = await journal.finish(runId, outcome);
    if (finished && webhooks) webhooks.deliver(run);
    return run;
  }

  /** A run cut short by a dead or stopping process: idempotent templates run it again, others fail it. */
  async function interrupt(run: RunRecord, source: RunSource | undefined): Promise<void> {
    if (source?.template.idempotent) {
      const queued = await journal.record(run.id, [{ type: "run.queued" }], {
        status: "queued",
        startedAt: null,
      });
      if (!closed)
        queue.push({
          runId: run.id,
          agentId: run.agentId,
          run: queued,
          source,
          depth: run.invokeDepth,
          queuedAt: performance.now(),
        });
      return;
    }
    await finish(run.id, { status: "failed", error: runError(abortError("shutdown", run.timeoutMs)) });
  }

  function abortRun(runId: string, reason: AbortReason): boolean {
    const state = active.get(runId);
    if (!state || state.settled || state.reason) return false;
    state.reason = reason;
    state.controller.abort(abortError(reason, state.timeoutMs));
    return true;
  }

  function runContext(job: Job, source: RunSource, signal: AbortSignal): RunContext {
    return {
      runId: job.runId,
      agentId: job.agentId,
      agentName: source.agent.name,
      threadId: job.run.threadId ?? undefined,
      signal,
      outputDeltas: job.outputDeltas ?? true,
      logger: withFields(logger, { runId: job.runId, agentId: job.agentId }),
      invokeAgent: (agent, input, invokeOptions) =>
        invokeAgent(
          job.depth + 1,
          agent,
          input,
          invokeOptions?.signal ? AbortSignal.any([signal, invokeOptions.signal]) : signal,
        ),
    };
  }

  async function invokeAgent(
    depth: number,
    nameOrId: string,
    input: unknown,
    signal: AbortSignal,
  ): Promise<unknown> {
    if (depth > maxDepth) {
      throw new AgentrtError(
        ErrorCode.RUN_FAILED,
        `invokeAgent("${nameOrId}") refused: agent calls are limited to ${maxDepth} levels deep`,
        { details: { limit: maxDepth } },
      );
    }
    signal.throwIfAborted();
    const agent = await store.agents.get(nameOrId);
    if (!agent) {
      throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `no agent named or with id "${nameOrId}"`, {
        details: { agent: nameOrId },
      });
    }
    const { run } = await submitRun(prepare({ agent, input }), depth);
    const onAbort = () => {
      cancel(run.id).catch(() => {});
    };
    signal.addEventListener("abort", onAbort, { once: true });
    let done: RunRecord;
    try {
      done = await wait(run.id);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    if (done.status === "succeeded") return done.output;
    throw new AgentrtError(
      done.error?.code ?? ErrorCode.RUN_FAILED,
      `agent "${agent.name}" run ${done.id} ended ${done.status}: ${done.error?.message ?? ""}`,
      { details: { runId: done.id, status: done.status } },
    );
  }

  /**
   * Runs one job. The returned promise (which holds the queue slot) settles as soon as the template
   * is done, before the end is recorded, so whoever sees the terminal state also sees a free slot.
   */
  function execute(job: Job): Promise<void> {
    const state: ActiveRun = {
      controller: new AbortController(),
      reason: undefined,
      settled: false,
      timeoutMs: job.run.timeoutMs,
    };
    active.set(job.runId, state);
    let freeSlot = () => {};
    const slot = new Promise<void>((resolve) => {
      freeSlot = resolve;
    });
    // Submitted elsewhere or before a restart: the request id stored with the run.
    const submitted = job.logFields ?? (job.run.requestId ? { requestId: job.run.requestId } : undefined);
    const fields = { ...submitted, runId: job.runId, agentId: job.agentId };
    const probe = startRunProbe(
      { runId: job.runId, agentId: job.agentId, threadId: job.run.threadId, queuedAt: job.queuedAt },
      job.trace ?? runTraceParent(job.run),
      options.observer,
    );
    const execution = restoreLogFields(fields, () =>
      context.with(probe.context, () => runJob(job, state, freeSlot, probe)),
    ).finally(() => {
      freeSlot();
      active.delete(job.runId);
      executions.delete(execution);
      leaseKeeper?.slotFreed();
    });
    executions.add(execution);
    if (job.ended) void execution.then(job.ended, job.ended);
    return slot;
  }

  function sinkFor(job: Job): RunSink {
    const { channel } = job;
    if (!channel) {
      return {
        async start(signal) {
          if (!store.leases) {
            await journal.record(job.runId, [{ type: "run.started" }], {
              status: "running",
              startedAt: nowIso(),
            });
            return true;
          }
          // The limits hold for the cluster: the start is claimed in the store. A child run's parent
          // already holds a slot. Ended or taken elsewhere before it started: nothing to run or record.
          const limits = job.depth > 0 ? null : clusterLimits;
          const fence = await startWhenReady(store.leases, job.run, limits, signal);
          if (!fence) return false;
          // From here on every write is fenced: refused once another execution took the run over.
          journal.hold(job.runId, fence);
          await journal.record(job.runId, [{ type: "run.started" }]);
          return true;
        },
        append: (event) => journal.append(job.runId, event),
        finish: (outcome) => finish(job.runId, outcome),
        interrupt: (source) => interrupt(job.run, source),
      };
    }
    let startedAt: string | undefined;
    const end = async (outcome: RunOutcome) => {
      closeUnstored(job, outcome);
      // Statistics count the runs that started, as the store's do.
      if (startedAt)
        ledger.add({
          agentId: job.agentId,
          agentRevision: job.run.agentRevision,
          status: outcome.status,
          startedAt,
          finishedAt: nowIso(),
          tokens: job.tokensUsed ?? 0,
        });
      return { status: outcome.status, error: outcome.status === "succeeded" ? null : outcome.error };
    };
    return {
      async start() {
        startedAt = nowIso();
        channel.push({ type: "run.started" });
        return true;
      },
      async append(event) {
        if (event.type === "usage")
          job.tokensUsed = (job.tokensUsed ?? 0) + event.promptTokens + event.completionTokens;
        channel.push(event);
      },
      finish: end,
      // Nothing stored, so nothing to run again later.
      async interrupt() {
        await end({ status: "failed", error: runError(abortError("shutdown", job.run.timeoutMs)) });
      },
    };
  }

  async function runJob(job: Job, state: ActiveRun, freeSlot: () => void, probe: RunProbe): Promise<void> {
    const { signal } = state.controller;
    const timer = setTimeout(() => abortRun(job.runId, "timeout"), job.run.timeoutMs);
    const sink = sinkFor(job);
    let source = job.source;
    let release = () => {};
    let outcome: RunOutcome;
    try {
      if (!(await sink.start(signal))) return;
      source ??= await loadRunSource(store, registry, job.run);
      probe.started(source);
      const lease = await acquireUnlessAborted(source, signal);
      release = lease.release;
      const result = await driveTemplate({
        instance: lease.instance,
        input: job.run.input,
        ctx: runContext(job, source, signal),
        graceMs,
        record: (event) => {
          probe.event(event);
          return sink.append(event);
        },
      });
      outcome = { status: "succeeded", output: result.output };
    } catch (error) {
      outcome = {
        status: "failed",
        error: toErrorInfo(source ? qualifyError(error, source.template) : error),
      };
    } finally {
      clearTimeout(timer);
      state.settled = true;
      release();
      freeSlot();
    }
    let ended: Pick<RunRecord, "status" | "error"> | undefined;
    const lost = () => {
      // Its end is the taker's: followers here hear it from the store.
      logger.warn("another node took the run over; stopped it here", { runId: job.runId });
      state.reason = "lost";
      relay?.catchUp(job.runId);
    };
    try {
      if (state.reason === "lost") lost();
      else if (state.reason === "shutdown") await sink.interrupt(source);
      else if (state.reason) {
        const error = runError(abortError(state.reason, job.run.timeoutMs));
        ended = await sink.finish({ status: state.reason === "cancel" ? "cancelled" : "timed_out", error });
      } else ended = await sink.finish(outcome);
    } catch (error) {
      if (error instanceof RunHeldElsewhere) lost();
      else logger.error("could not record the end of a run", { runId: job.runId, error: String(error) });
    } finally {
      journal.release(job.runId);
    }
    probe.finished(
      ended ?? (state.reason === "shutdown" || state.reason === "lost" ? "interrupted" : "failed"),
    );
  }

  /** `template.create` gets no signal, so a hung create must not keep a cancelled run open. */
  async function acquireUnlessAborted(source: RunSource, signal: AbortSignal): Promise<InstanceLease> {
    const acquiring = instances.acquire({
      agentId: source.agent.id,
      revision: source.revision,
      template: source.template,
      config: source.config,
    });
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([acquiring, aborted]);
    } catch (error) {
      // Returned too late to be used: hand the lease straight back.
      acquiring.then(
        (lease) => lease.release(),
        () => {},
      );
      throw error;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  function resolveTimeout(requested: number | undefined): number {
    const timeoutMs = requested ?? defaultTimeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs < MIN_TIMEOUT_MS || timeoutMs > maxTimeoutMs) {
      const bounds = `must be between ${MIN_TIMEOUT_MS} and ${maxTimeoutMs} ms`;
      throw new AgentrtError(ErrorCode.VALIDATION_FAILED, `timeoutMs ${bounds}`, {
        issues: [{ path: ["timeoutMs"], message: bounds }],
      });
    }
    return timeoutMs;
  }

  /** Webhooks are configured and the URL passes the checks that need no DNS. */
  function checkWebhookUrlNow(url: string): WebhookSender {
    if (!webhooks) {
      throw new AgentrtError(ErrorCode.VALIDATION_FAILED, "webhooks are not configured on this server", {
        issues: [{ path: ["webhook"], message: "webhooks are disabled" }],
      });
    }
    webhooks.checkUrl(url);
    return webhooks;
  }

  async function checkWebhookUrl(url: string): Promise<void> {
    await checkWebhookUrlNow(url).check(url);
  }

  function prepare(submit: SubmitRunOptions): PreparedRun {
    if (closed) throw new AgentrtError(ErrorCode.NOT_READY, "the run engine is shutting down");
    const { agent } = submit;
    if (agent.status === "paused") {
      throw new AgentrtError(ErrorCode.AGENT_PAUSED, `agent "${agent.name}" is paused and accepts no runs`, {
        details: { agentId: agent.id },
      });
    }
    if (submit.webhookUrl) checkWebhookUrlNow(submit.webhookUrl);
    const source = sourceFromAgent(registry, agent);
    return {
      ...submit,
      $$prepared: true,
      source,
      input: parseRunInput(source.template, submit.input),
      timeoutMs: resolveTimeout(submit.timeoutMs),
    };
  }

  async function submitRun(
    prepared: PreparedRun,
    depth: number,
  ): Promise<{ run: RunRecord; created: boolean }> {
    if (closed) throw new AgentrtError(ErrorCode.NOT_READY, "the run engine is shutting down");
    const { agent, input, source } = prepared;
    // Child runs start at once (their parent holds a slot), so only top-level runs can be refused.
    if (depth === 0) queue.ensureRoom(agent.id);
    const idempotencyKey = prepared.idempotencyKey ?? null;
    // The run row and its `run.queued` event are one write.
    const { run, created } = await journal.create(
      {
        id: prepared.runId ?? createId("run"),
        agentId: agent.id,
        agentRevision: agent.revision,
        threadId: prepared.threadId ?? null,
        scheduleId: prepared.scheduleId ?? null,
        input,
        idempotencyKey,
        webhookUrl: prepared.webhookUrl ?? null,
        timeoutMs: prepared.timeoutMs,
        invokeDepth: depth,
        ...storedTraceContext(),
        requestId: currentLogFields()?.requestId ?? null,
      },
      idempotencyKey === null ? undefined : new Date(Date.now() - IDEMPOTENCY_WINDOW_MS).toISOString(),
      [{ type: "run.queued" }],
    );
    if (!created) {
      if (canonicalJson(run.input) !== canonicalJson(input)) {
        throw new AgentrtError(
          ErrorCode.IDEMPOTENCY_CONFLICT,
          `idempotency key "${idempotencyKey}" was already used for run ${run.id} with a different input`,
          { details: { runId: run.id } },
        );
      }
      return { run, created };
    }
    if (executes)
      queue.push(
        {
          runId: run.id,
          agentId: agent.id,
          run,
          source,
          depth,
          logFields: currentLogFields(),
          queuedAt: performance.now(),
        },
        { immediate: depth > 0 },
      );
    else await bus?.announceRuns();
    return { run, created };
  }

  function executeUnstored(prepared: PreparedRun, options: ExecuteOptions = {}): UnstoredRun {
    if (closed) throw new AgentrtError(ErrorCode.NOT_READY, "the run engine is shutting down");
    if (prepared.threadId || prepared.idempotencyKey || prepared.webhookUrl || prepared.scheduleId) {
      throw new AgentrtError(
        ErrorCode.BAD_REQUEST,
        "a run on a thread, schedule, idempotency key or webhook is stored",
      );
    }
    const { agent } = prepared;
    queue.ensureRoom(agent.id);
    const id = prepared.runId ?? createId("run");
    // The record exists only in memory, so the queue and the executor treat it like any run.
    const run: RunRecord = {
      id,
      agentId: agent.id,
      agentRevision: agent.revision,
      threadId: null,
      scheduleId: null,
      input: prepared.input,
      status: "queued",
      output: null,
      error: null,
      idempotencyKey: null,
      webhookUrl: null,
      webhookDeliveries: [],
      timeoutMs: prepared.timeoutMs,
      invokeDepth: 0,
      traceParent: null,
      traceState: null,
      requestId: null,
      createdAt: nowIso(),
      startedAt: null,
      finishedAt: null,
    };
    const channel = createRunChannel(id);
    let over = () => {};
    const done = new Promise<{ tokensUsed: number }>((resolve) => {
      over = () => resolve({ tokensUsed: job.tokensUsed ?? 0 });
    });
    const job: Job = {
      runId: id,
      agentId: agent.id,
      run,
      source: prepared.source,
      depth: 0,
      logFields: currentLogFields(),
      trace: context.active(),
      queuedAt: performance.now(),
      channel,
      ended: over,
      outputDeltas: options.outputDeltas ?? true,
    };
    unstored.set(id, job);
    channel.push({ type: "run.queued" });
    queue.push(job);
    return {
      id,
      events: channel.follow,
      done,
      cancel() {
        if (active.has(id)) {
          abortRun(id, "cancel");
          return;
        }
        const waiting = queue.remove(id);
        if (!waiting) return;
        closeUnstored(waiting, { status: "cancelled", error: runError(abortError("cancel", run.timeoutMs)) });
        over();
      },
    };
  }

  /** An unstored run's ending, as the journal would have written it. */
  function closeUnstored(job: Job, outcome: RunOutcome): void {
    unstored.delete(job.runId);
    for (const payload of runEnding(outcome).payloads) job.channel!.push(payload);
  }

  function wait(runId: string, signal?: AbortSignal): Promise<RunRecord> {
    return new Promise<RunRecord>((resolve, reject) => {
      const done = (settle: () => void) => {
        unsubscribe();
        signal?.removeEventListener("abort", onAbort);
        settle();
      };
      const onAbort = () => done(() => reject(signal!.reason));
      // Subscribe before reading, so a run that ends in between is still heard.
      const unsubscribe = hub.subscribe(runId, {
        settled: (run) => done(() => resolve(run)),
        closed: (error) => done(() => reject(error)),
      });
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      store.runs.get(runId).then(
        (run) => {
          if (!run) {
            done(() => reject(new AgentrtError(ErrorCode.RUN_NOT_FOUND, `run ${runId} does not exist`)));
          } else if (TERMINAL_RUN_STATUSES.has(run.status)) done(() => resolve(run));
        },
        (error: unknown) => done(() => reject(error)),
      );
    });
  }

  async function cancel(runId: string): Promise<RunRecord> {
    const run = await store.runs.get(runId);
    if (!run)
      throw new AgentrtError(ErrorCode.RUN_NOT_FOUND, `run ${runId} does not exist`, {
        details: { id: runId },
      });
    if (TERMINAL_RUN_STATUSES.has(run.status)) {
      throw new AgentrtError(ErrorCode.RUN_ALREADY_FINISHED, `run ${runId} already ended ${run.status}`, {
        details: { id: runId, status: run.status },
      });
    }
    const here = await cancelHere(runId);
    if (here) return here;
    if (bus) {
      // Another node may be executing or holding the run: ask, and wait for its end.
      await bus.requestCancel(runId);
      const ended = await wait(runId, AbortSignal.timeout(CANCEL_HANDOFF_MS)).catch((error: unknown) => {
        if ((error as Error).name === "TimeoutError") return undefined;
        throw error;
      });
      if (ended) return ended;
    }
    // A stored run no process is executing: end it right here.
    return finish(runId, { status: "cancelled", error: runError(abortError("cancel", run.timeoutMs)) });
  }

  /** Cancels a run this node executes or holds in its queue; undefined when it has neither. */
  async function cancelHere(runId: string): Promise<RunRecord | undefined> {
    if (active.has(runId)) {
      abortRun(runId, "cancel");
      return wait(runId);
    }
    const job = queue.remove(runId);
    if (!job) return undefined;
    return finish(runId, { status: "cancelled", error: runError(abortError("cancel", job.run.timeoutMs)) });
  }

  return {
    async start() {
      if (store.leases) {
        // API-only: nothing to execute, so nothing to hold or take over.
        if (!executes) return;
        // Several nodes share the store: recovery is taking over what no live node holds.
        const keeper = startLeaseKeeper({
          leases: store.leases,
          leaseMs: options.leaseMs ?? 30_000,
          logger,
          capacity: () => {
            const { running, queued } = queue.stats();
            return Math.max(0, globalLimit - running - queued);
          },
          adopt: async (run) => {
            if (active.has(run.id) || queue.has(run.id)) return;
            if (run.status === "running") {
              await interrupt(run, await loadRunSource(store, registry, run).catch(() => undefined));
            } else if (!closed)
              queue.push({
                runId: run.id,
                agentId: run.agentId,
                run,
                source: undefined,
                depth: run.invokeDepth,
                queuedAt: queuedSince(run),
              });
          },
        });
        leaseKeeper = keeper;
        if (bus) {
          // Announcements may have been missed while the bus was cut off.
          const sweep = () => void keeper.sweep().catch(() => {});
          unsubscribeBus.push(bus.onRunsAnnounced(sweep), bus.onResumed(sweep));
        }
        await keeper.sweep();
        return;
      }
      const result = await recoverRuns({
        store,
        owned: (runId) => active.has(runId) || queue.has(runId),
        interrupt: async (run) =>
          interrupt(run, await loadRunSource(store, registry, run).catch(() => undefined)),
        enqueue: (run) =>
          queue.push({
            runId: run.id,
            agentId: run.agentId,
            run,
            source: undefined,
            depth: run.invokeDepth,
            queuedAt: queuedSince(run),
          }),
      });
      if (result.interrupted + result.requeued > 0) logger.info("recovered runs", result);
    },
    prepare,
    checkWebhookUrl,
    async submit(submit) {
      if (isPrepared(submit)) return submitRun(submit, 0);
      const prepared = prepare(submit);
      if (prepared.webhookUrl) await checkWebhookUrl(prepared.webhookUrl);
      return submitRun(prepared, 0);
    },
    execute: executeUnstored,
    wait,
    follow: (runId, afterSeq, signal) => followRun(store, hub, runId, afterSeq, signal),
    followBatches: (runId, afterSeq, signal) => followRunBatches(store, hub, runId, afterSeq, signal),
    cancel,
    invalidateAgent: (agentId, keepRevision) => instances.invalidate(agentId, keepRevision),
    stats: () => queue.stats(),
    unrecordedTokens: (agentId, since) => ledger.pendingTokens(agentId, since),
    async close() {
      if (closed) return;
      closed = true;
      for (const unsubscribe of unsubscribeBus) unsubscribe();
      queue.close();
      for (const runId of active.keys()) abortRun(runId, "shutdown");
      // Queued unstored runs vanish with the queue: their followers hear why.
      for (const job of unstored.values()) {
        if (!active.has(job.runId)) {
          unstored.delete(job.runId);
          job.channel!.fail(new AgentrtError(ErrorCode.NOT_READY, "the run engine was closed"));
          job.ended?.();
        }
      }
      await Promise.all(executions);
      await ledger.close();
      await leaseKeeper?.stop();
      await instances.close();
      await webhooks?.close();
      hub.close(new AgentrtError(ErrorCode.NOT_READY, "the run engine was closed"));
    },
  };
}
