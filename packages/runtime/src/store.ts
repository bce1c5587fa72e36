import { AgentrtError, type CheckpointSaver, ErrorCode, type RunError } from "@agentrt/core";
import type { RateCounters } from "./rate-counters.js";
import type { RetentionOverride } from "./retention/policy.js";
import type { RunEventPayload, RunEventType, RunStatus, StoredRunEvent } from "./run-events.js";

/**
 * The persistence contract. Every method is async so one interface fits the embedded SQLite store
 * and a networked Postgres store. Implementations must make each method atomic: a method either
 * fully applies or throws, never leaving a half-written row.
 */

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export type AgentStatus = "active" | "paused";

/** An agent's quotas, checked when a run is submitted; `null` means no limit. */
export interface AgentLimits {
  /** Runs of the agent queued or running at once. */
  maxConcurrentRuns: number | null;
  /** Runs accepted per minute. */
  maxRunsPerMinute: number | null;
  /** Model tokens (prompt + completion, from usage events) per UTC day. */
  maxTokensPerDay: number | null;
}

export const NO_AGENT_LIMITS: Readonly<AgentLimits> = Object.freeze({
  maxConcurrentRuns: null,
  maxRunsPerMinute: null,
  maxTokensPerDay: null,
});

export interface AgentRecord {
  id: string;
  name: string;
  description: string | null;
  templateName: string;
  /** The range the agent was created with (e.g. `^1`), kept so upgrades know the author's intent. */
  templateRange: string;
  /** The concrete template version the current revision runs on. */
  templateVersion: string;
  config: Record<string, unknown>;
  revision: number;
  status: AgentStatus;
  /** Retention settings that differ from the server's; `null` when the agent has none. */
  retention: RetentionOverride | null;
  limits: AgentLimits;
  createdAt: string;
  updatedAt: string;
}

export interface AgentRevisionRecord {
  agentId: string;
  revision: number;
  templateVersion: string;
  config: Record<string, unknown>;
  createdAt: string;
}

export interface NewAgent {
  id: string;
  name: string;
  description: string | null;
  templateName: string;
  templateRange: string;
  templateVersion: string;
  config: Record<string, unknown>;
  /** Default `null` (the server's retention policy). */
  retention?: RetentionOverride | null;
  /** Default: no limits. */
  limits?: AgentLimits;
}

export interface AgentPatch {
  name?: string;
  description?: string | null;
  status?: AgentStatus;
  templateRange?: string;
  /** When `config` or `templateVersion` is given a new revision is written in the same transaction. */
  templateVersion?: string;
  config?: Record<string, unknown>;
  /** Not part of a revision: changing it never bumps `revision`. */
  retention?: RetentionOverride | null;
  /** Replaces the limits; not a new revision (limits are the operator's, not the config's). */
  limits?: AgentLimits;
}

export interface AgentListFilter extends PageRequest {
  templateName?: string | undefined;
  status?: AgentStatus | undefined;
}

export interface AgentStore {
  /** Inserts the agent and its revision 1. Throws `AGENT_NAME_TAKEN` when the name is in use. */
  create(agent: NewAgent): Promise<AgentRecord>;
  /** Looks an agent up by id or, failing that, by unique name. */
  get(idOrName: string): Promise<AgentRecord | undefined>;
  list(filter: AgentListFilter): Promise<Page<AgentRecord>>;
  /**
   * Applies a patch. A changed config or template version bumps `revision` and records it.
   * Throws `AGENT_NOT_FOUND` or `AGENT_NAME_TAKEN`.
   */
  update(id: string, patch: AgentPatch): Promise<AgentRecord>;
  /** Deletes the agent with its revisions; returns false when it did not exist. */
  delete(id: string): Promise<boolean>;
  revisions(agentId: string, page: PageRequest): Promise<Page<AgentRevisionRecord>>;
  revision(agentId: string, revision: number): Promise<AgentRevisionRecord | undefined>;
}

export const API_KEY_SCOPES = ["admin", "invoke", "read"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * A key's own request limits per scope class (requests per rate-limit window), overriding the
 * server's defaults; `0` means unlimited.
 */
export type ApiKeyRateLimits = Partial<Record<ApiKeyScope, number>>;

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** First characters of the key, shown so people can tell keys apart; never enough to use it. */
  prefix: string;
  /** SHA-256 of the full key, hex. The key itself is never stored. */
  hash: string;
  scopes: ApiKeyScope[];
  rateLimits: ApiKeyRateLimits;
  createdAt: string;
  lastUsedAt: string | null;
}

export type ApiKeyPatch = Partial<Pick<ApiKeyRecord, "name" | "scopes" | "rateLimits">>;

export interface ApiKeyStore {
  create(
    key: Omit<ApiKeyRecord, "createdAt" | "lastUsedAt" | "rateLimits"> & { rateLimits?: ApiKeyRateLimits },
  ): Promise<ApiKeyRecord>;
  /** Applies a patch; `undefined` when no key has this id. */
  update(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  list(page: PageRequest): Promise<Page<ApiKeyRecord>>;
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
  touch(id: string, at: string): Promise<void>;
}

export interface WebhookDelivery {
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
}

export interface RunRecord {
  id: string;
  agentId: string;
  agentRevision: number;
  threadId: string | null;
  scheduleId: string | null;
  input: unknown;
  status: RunStatus;
  output: unknown;
  error: RunError | null;
  idempotencyKey: string | null;
  webhookUrl: string | null;
  webhookDeliveries: WebhookDelivery[];
  /** Per-run timeout in milliseconds, resolved at creation. */
  timeoutMs: number;
  /**
   * How many `invokeAgent` calls deep the run is (0: submitted from outside), kept so the depth
   * limit still holds when the run is re-queued by recovery or taken over by another node.
   */
  invokeDepth: number;
  /**
   * The W3C `traceparent` of the span that submitted the run (null when not tracing), stored so the
   * run's span joins that trace wherever and whenever it executes: later, on another node, or after
   * a restart.
   */
  traceParent: string | null;
  /** The W3C `tracestate` that came with `traceParent`. */
  traceState: string | null;
  /**
   * The id of the request that submitted the run (null when none did, e.g. a schedule's tick), so
   * the run's log lines name it wherever and whenever it executes.
   */
  requestId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export type NewRun = Pick<
  RunRecord,
  | "id"
  | "agentId"
  | "agentRevision"
  | "threadId"
  | "scheduleId"
  | "input"
  | "idempotencyKey"
  | "webhookUrl"
  | "timeoutMs"
> & {
  /** Default 0. */
  invokeDepth?: number | undefined;
  /** Default null. */
  traceParent?: string | null | undefined;
  traceState?: string | null | undefined;
  requestId?: string | null | undefined;
};

export type RunPatch = Partial<
  Pick<RunRecord, "status" | "output" | "error" | "startedAt" | "finishedAt" | "webhookDeliveries">
>;

export interface RunListFilter extends PageRequest {
  agentId?: string | undefined;
  status?: RunStatus | undefined;
  threadId?: string | undefined;
}

/**
 * Health of runs that executed (started) and ended in a window: counts and duration quantiles
 * (`finishedAt - startedAt`, nearest rank), computed where the runs are stored so every node of a
 * cluster reports the same.
 */
export interface RunUsage {
  runs: number;
  /** Of those, runs that ended `failed` or `timed_out`. */
  errors: number;
  /** Median duration in ms; null without runs. */
  p50Ms: number | null;
  p95Ms: number | null;
}

/**
 * What usage needs of a run that was not stored (a completion nobody asked to keep): no input,
 * output or events, only what statistics and the agent's token quota count.
 */
export interface UnstoredRunRecord {
  agentId: string;
  agentRevision: number;
  status: Exclude<RunStatus, "queued" | "running">;
  startedAt: string;
  finishedAt: string;
  /** Prompt + completion tokens of its `usage` events. */
  tokens: number;
}

/** How long stores keep unstored runs' records at least: a day of token quota, and some slack. */
export const UNSTORED_RUNS_KEPT_MS = 48 * 60 * 60 * 1000;

/**
 * What one execution of a run presents with its writes on a store with `leases`: the node, and the
 * run's lease epoch when that execution started. Every take-over and every start moves the epoch on,
 * so a stalled execution is refused even after its run came back to the same node (A → B → A).
 */
export interface RunFence {
  holder: string;
  epoch: number;
}

/** A fenced write refused: another execution holds the run now (its lease passed on); nothing was written. */
export class RunHeldElsewhere extends AgentrtError {
  constructor(runId: string, fence: RunFence) {
    super(
      ErrorCode.RUN_INTERRUPTED,
      `run ${runId} is no longer held by node ${fence.holder} (epoch ${fence.epoch})`,
      {
        details: { id: runId, holder: fence.holder, epoch: fence.epoch },
      },
    );
  }
}

export interface RunStore {
  /**
   * Inserts a queued run. With an idempotency key already used for the same agent since
   * `idempotentSince`, returns that run instead and `created: false`. `events` (seq 1, 2, ...) are
   * stored with a created run in the same atomic step, so a submission is one write; the stored
   * events are returned (none when the run already existed).
   */
  create(
    run: NewRun,
    idempotentSince?: string,
    events?: RunEventPayload[],
  ): Promise<{ run: RunRecord; created: boolean; events: StoredRunEvent[] }>;
  get(id: string): Promise<RunRecord | undefined>;
  list(filter: RunListFilter): Promise<Page<RunRecord>>;
  update(id: string, patch: RunPatch): Promise<RunRecord>;
  /** Runs in any of the given states, oldest first (start-up recovery, queue refill). */
  listByStatus(statuses: RunStatus[], limit: number): Promise<RunRecord[]>;
  /** Appends one event; the store assigns the next `seq` for the run, starting at 1. */
  appendEvent(runId: string, payload: RunEventPayload): Promise<StoredRunEvent>;
  /**
   * Appends several events of one run with consecutive `seq`s in the given order and, when given,
   * applies `patch` to the run, all in one atomic step. Returns the stored events and the run as it
   * is afterwards. The run journal writes each batch of events produced together (and a run's
   * start or end with its row change) in one call.
   *
   * `fence` fences the write on a store with `leases`: it happens only while that execution holds
   * the run (same node, same epoch), checked in the same statement, else `RunHeldElsewhere` is thrown
   * and nothing is written (a stalled execution whose run was taken over cannot write into it).
   * Other stores ignore it.
   */
  appendEvents(
    runId: string,
    payloads: RunEventPayload[],
    patch?: RunPatch,
    fence?: RunFence,
  ): Promise<{ events: StoredRunEvent[]; run: RunRecord }>;
  /** Events with `seq > afterSeq`, in order. */
  events(runId: string, afterSeq: number, limit?: number): Promise<StoredRunEvent[]>;
  /**
   * Tokens (prompt + completion) of the agent's `usage` events recorded at or after `since` (ISO),
   * and of its unstored runs that finished then.
   */
  tokensUsed(agentId: string, since: string): Promise<number>;
  /**
   * Usage of the runs of every agent on `templateName` that finished at or after `since` (ISO),
   * one entry per template version the runs executed (their agent revision's); versions without
   * such runs are left out. Unstored runs count like stored ones.
   */
  usageByTemplateVersion(
    templateName: string,
    since: string,
  ): Promise<(RunUsage & { templateVersion: string })[]>;
  /**
   * Usage of one agent's runs that finished at or after `since` (ISO), over all its revisions,
   * unstored runs included.
   */
  agentUsage(agentId: string, since: string): Promise<RunUsage>;
  /**
   * Records ended unstored runs for usage, a batch at a time. Each batch also deletes the records
   * that finished more than `UNSTORED_RUNS_KEPT_MS` ago (its own included).
   */
  recordUnstored(runs: readonly UnstoredRunRecord[]): Promise<void>;
}

/**
 * What a tick does while the schedule's previous run is still queued or running: `skip` it,
 * `enqueue` it (it runs when the previous one ends; at most one tick waits) or `allow` both to run.
 */
export const SCHEDULE_OVERLAPS = ["skip", "enqueue", "allow"] as const;
export type ScheduleOverlap = (typeof SCHEDULE_OVERLAPS)[number];

export interface ScheduleRecord {
  id: string;
  agentId: string;
  cron: string;
  timezone: string;
  input: unknown;
  webhookUrl: string | null;
  enabled: boolean;
  overlap: ScheduleOverlap;
  /** Next due time (ISO); the scheduler claims a tick by moving it forward atomically. */
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastRunId: string | null;
  createdAt: string;
}

export type NewSchedule = Omit<ScheduleRecord, "createdAt" | "lastRunAt" | "lastRunId">;

export type SchedulePatch = Partial<
  Pick<ScheduleRecord, "cron" | "timezone" | "input" | "webhookUrl" | "enabled" | "overlap" | "nextRunAt">
>;

export interface ScheduleStore {
  create(schedule: NewSchedule): Promise<ScheduleRecord>;
  get(id: string): Promise<ScheduleRecord | undefined>;
  list(filter: PageRequest & { agentId?: string | undefined }): Promise<Page<ScheduleRecord>>;
  delete(id: string): Promise<boolean>;
  /** Changes the given fields; undefined when no schedule has this id. */
  update(id: string, patch: SchedulePatch): Promise<ScheduleRecord | undefined>;
  /** Enabled schedules with `nextRunAt <= now`. */
  due(now: string, limit: number): Promise<ScheduleRecord[]>;
  /**
   * Compare-and-set claim of one tick: moves `nextRunAt` from `expected` to `next` and records the
   * run. Returns false when another claimant (or an earlier process) already took that tick.
   */
  claim(id: string, expected: string, next: string | null, runId: string, at: string): Promise<boolean>;
}

export interface ThreadRecord {
  id: string;
  agentId: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ThreadStore {
  create(thread: Omit<ThreadRecord, "createdAt" | "updatedAt">): Promise<ThreadRecord>;
  get(id: string): Promise<ThreadRecord | undefined>;
  list(filter: PageRequest & { agentId?: string | undefined }): Promise<Page<ThreadRecord>>;
  touch(id: string, at: string): Promise<void>;
  delete(id: string): Promise<boolean>;
  /**
   * Takes the thread's admission lease for `holder` until `ttlMs` from now, unless another holder
   * has an unexpired one. Returns false then (or when the thread does not exist). This is how run
   * admission keeps one submission per thread at a time across every process on the store.
   */
  acquireLease(id: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease back, if `holder` still has it. */
  releaseLease(id: string, holder: string): Promise<void>;
}

/** Why a run is gone: removed by the retention policy, or deleted on request. */
export type RunRemovalReason = "expired" | "deleted";

/** What is left of a removed run, so its id answers "expired"/"deleted" rather than "unknown". */
export interface RunTombstone {
  id: string;
  agentId: string;
  reason: RunRemovalReason;
  removedAt: string;
}

/**
 * Which finished runs of one agent to remove. A run matches when any given condition holds; a
 * queued or running run never matches. Runs are ranked by id (creation order), newest first.
 */
export interface RunPruneRule {
  agentId: string;
  /** Only this schedule's runs (and `keepLatest` counts only them). */
  scheduleId?: string | undefined;
  createdBefore?: string | undefined;
  /** Compared with `finishedAt`. */
  finishedBefore?: string | undefined;
  /** Runs (of any state) ranked after the newest `keepLatest` of the scope. At least 1. */
  keepLatest?: number | undefined;
}

export interface RetentionStoreStats {
  /** Bytes the store occupies (SQLite: the database pages), `null` where the store can't tell. */
  sizeBytes: number | null;
  /** Of those, bytes free for reuse that `reclaimSpace` can give back. */
  freeBytes: number | null;
  /** `createdAt` of the oldest run kept. */
  oldestRunAt: string | null;
}

/**
 * Deletion for the retention policy. Every method works on at most `limit` rows and is atomic
 * (one short write), so a caller deletes in small batches between other writes. Removed runs leave a
 * tombstone; their events go with them. Runs keep no foreign key to threads or schedules.
 */
export interface RetentionStore {
  /**
   * Removes one run with its events, leaving a tombstone. `unfinished` (nothing changed) when the run
   * is queued or running; `missing` when there is no such run.
   */
  deleteRun(id: string, reason: RunRemovalReason): Promise<"deleted" | "unfinished" | "missing">;
  /** Removes up to `limit` matching runs, oldest first, with tombstones. Returns how many. */
  pruneRuns(rule: RunPruneRule, reason: RunRemovalReason, limit: number): Promise<number>;
  /**
   * Drops the events of the given types from up to `limit` finished runs of the agent that finished
   * before `finishedBefore` and were not compacted yet; the run row (output, error) and all other
   * events stay, seqs are not renumbered. Returns how many runs were compacted.
   */
  compactEvents(
    rule: { agentId: string; finishedBefore: string; types: readonly RunEventType[] },
    limit: number,
  ): Promise<number>;
  /**
   * Deletes up to `limit` threads of the agent (`null`: threads bound to none) last touched before
   * `inactiveBefore`, with their checkpoints; a thread with a queued or running run or a live lease
   * stays. Returns how many.
   */
  expireThreads(rule: { agentId: string | null; inactiveBefore: string }, limit: number): Promise<number>;
  tombstone(runId: string): Promise<RunTombstone | undefined>;
  /** Forgets up to `limit` tombstones removed before `before`. Returns how many. */
  pruneTombstones(before: string, limit: number): Promise<number>;
  stats(): Promise<RetentionStoreStats>;
  /** Gives up to `maxBytes` of free space back to the file system; returns the bytes given back. */
  reclaimSpace(maxBytes: number): Promise<number>;
}

/**
 * How nodes sharing one store hear each other (multi-node on PostgreSQL). Messages carry positions
 * and ids only; a listener reads what it needs from the store. Delivery is at most once: a listener
 * must cope with a missed message (the store stays the truth) and with hearing its own.
 */
export interface StoreBus {
  /** Some node appended events `firstSeq…` to `runId`. Returns the unsubscribe function. */
  onEvents(listener: (runId: string, firstSeq: number) => void): () => void;
  /** Asks every node to cancel `runId`; the one executing or holding it does. */
  requestCancel(runId: string): Promise<void>;
  onCancelRequest(listener: (runId: string) => void): () => void;
  /** Tells executing nodes that runs held by no node wait (an API-only node accepted them). */
  announceRuns(): Promise<void>;
  onRunsAnnounced(listener: () => void): () => void;
  /**
   * The bus was cut off and hears again (a dropped connection came back): messages sent meanwhile
   * are lost, so listeners re-read from the store what they follow.
   */
  onResumed(listener: () => void): () => void;
  /** Tells every node that copies of a record they cache are stale (sent after the write commits). */
  invalidate(change: Invalidation): Promise<void>;
  onInvalidate(listener: (change: Invalidation) => void): () => void;
}

/** The kinds of records nodes cache, so a change through one node reaches the others' caches. */
export const INVALIDATION_KINDS = ["apiKey", "agent", "schedule"] as const;
export type InvalidationKind = (typeof INVALIDATION_KINDS)[number];

/** One record changed or was deleted. */
export interface Invalidation {
  kind: InvalidationKind;
  id: string;
  /**
   * The agent's revision after the change (`agent` only; absent when it was deleted), so instances
   * of that revision, possibly built already, are kept.
   */
  revision?: number | undefined;
}

/**
 * Which node holds which unfinished run, on a store several nodes share. A node holds the runs it
 * accepted while its lease (renewed by `heartbeat`) lasts; when a node stops renewing (killed, cut
 * off), another takes its runs over, each run by exactly one node.
 */
/** Runs executing at once on all nodes of a shared store together. */
export interface ClusterLimits {
  global: number;
  perAgent: number;
}

export interface RunLeases {
  /** This node's id, unique per process. */
  readonly nodeId: string;
  /** Registers this node or extends its lease to `ttlMs` from now. */
  heartbeat(ttlMs: number): Promise<void>;
  /**
   * Moves to this node up to `limit` runs in `status` held by no live node (lease expired, node
   * gone, or never held: accepted by an API-only node) and returns them, oldest first, each with its
   * epoch moved on. Concurrent callers on other nodes get disjoint sets.
   */
  takeOver(status: "queued" | "running", limit: number): Promise<RunRecord[]>;
  /**
   * Starts a queued run this node holds when its turn has come: no older run of its thread queued
   * or running, fewer than `limits.global` runs running on all nodes together, and fewer than
   * `limits.perAgent` of the run's agent (`null`: no limits, for a child run whose parent already
   * holds a slot). Check and start are one step for all nodes, so two never take the last slot or
   * one thread's turn. Started: now `running` since `startedAt`, with its epoch moved on; the fence
   * returned is this execution's for its writes. `wait`: ask again later; `gone`: no longer queued,
   * or held by another node now.
   */
  start(runId: string, limits: ClusterLimits | null): Promise<RunFence | "wait" | "gone">;
  /** Ends this node's lease at once (clean shutdown): its unfinished runs are free to take over. */
  leave(): Promise<void>;
}

export interface Store {
  readonly kind: string;
  /** Present when several nodes share the store: run ownership by lease. */
  readonly leases?: RunLeases;
  /** Present when several processes may run on this store at once and must hear each other. */
  readonly bus?: StoreBus;
  /**
   * Present when several nodes share the store: rate counters (API keys, agents' runs per minute)
   * every node counts in, so a limit holds for the cluster, not per node.
   */
  readonly rateCounters?: RateCounters;
  /**
   * Present when several nodes share the store: runs `work` while this node holds the cluster-wide
   * lock `name` (waiting for it), so a check and the write it allows are one step for all nodes.
   */
  exclusive?<T>(name: string, work: () => Promise<T>): Promise<T>;
  readonly agents: AgentStore;
  readonly apiKeys: ApiKeyStore;
  readonly runs: RunStore;
  readonly schedules: ScheduleStore;
  readonly threads: ThreadStore;
  readonly retention: RetentionStore;
  /**
   * Durable LangGraph thread memory on the same database, provided to templates as the
   * `agentrt.checkpointer` service. Optional: a store without one hosts no template that requires it.
   */
  readonly checkpointer?: CheckpointSaver;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
