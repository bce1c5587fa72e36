/**
 * What the SQL stores (SQLite, PostgreSQL) share: their tables have the same columns, JSON kept as
 * text, so a row maps to a record the same way in both; and the agents' settings rules, which the
 * memory store applies too. The SQL itself stays with each dialect.
 */
import type { RunError } from "@agentrt/core";
import { canonicalJson } from "./engine/canonical-json.js";
import type { RunEventPayload, RunEventType, RunStatus, StoredRunEvent } from "./run-events.js";
import {
  type AgentPatch,
  type AgentRecord,
  type AgentRevisionRecord,
  type AgentStatus,
  type ApiKeyRateLimits,
  type ApiKeyRecord,
  type ApiKeyScope,
  type NewAgent,
  NO_AGENT_LIMITS,
  type RunRecord,
  type RunUsage,
  type ScheduleOverlap,
  type ScheduleRecord,
  type ThreadRecord,
  type WebhookDelivery,
} from "./store.js";

/** JSON columns are TEXT; `undefined` is stored as NULL and read back as `null`. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function fromJson<T>(text: string | null): T {
  return (text === null ? null : JSON.parse(text)) as T;
}

export interface AgentRow {
  id: string;
  name: string;
  description: string | null;
  template_name: string;
  template_range: string;
  template_version: string;
  config: string;
  revision: number;
  status: string;
  retention: string | null;
  limits: string;
  created_at: string;
  updated_at: string;
}

export interface RevisionRow {
  agent_id: string;
  revision: number;
  template_version: string;
  config: string;
  created_at: string;
}

export function toAgent(row: AgentRow): AgentRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    templateName: row.template_name,
    templateRange: row.template_range,
    templateVersion: row.template_version,
    config: fromJson(row.config),
    revision: row.revision,
    status: row.status as AgentStatus,
    retention: fromJson(row.retention),
    limits: { ...NO_AGENT_LIMITS, ...fromJson<Partial<AgentRecord["limits"]>>(row.limits) },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toRevision(row: RevisionRow): AgentRevisionRecord {
  return {
    agentId: row.agent_id,
    revision: row.revision,
    templateVersion: row.template_version,
    config: fromJson(row.config),
    createdAt: row.created_at,
  };
}

/** A new agent's settings outside its config: no retention override and no limits unless given. */
export function newAgentSettings(input: NewAgent): Pick<AgentRecord, "retention" | "limits"> {
  return { retention: input.retention ?? null, limits: { ...NO_AGENT_LIMITS, ...input.limits } };
}

/**
 * The agent a patch leaves (without `revision`/`updatedAt`), and whether it is a new revision: only
 * a real change of template version or config is one (re-saving the same config is not; retention
 * and limits never are). `limits` replaces the limits; `retention: null` clears the override.
 */
export function applyAgentPatch(
  current: AgentRecord,
  patch: AgentPatch,
): { next: Omit<AgentRecord, "revision" | "updatedAt">; changed: boolean } {
  const next = {
    ...current,
    name: patch.name ?? current.name,
    description: patch.description === undefined ? current.description : patch.description,
    status: patch.status ?? current.status,
    templateRange: patch.templateRange ?? current.templateRange,
    templateVersion: patch.templateVersion ?? current.templateVersion,
    config: patch.config ?? current.config,
    retention: patch.retention === undefined ? current.retention : patch.retention,
    limits: patch.limits ? { ...patch.limits } : current.limits,
  };
  const changed =
    next.templateVersion !== current.templateVersion ||
    canonicalJson(next.config) !== canonicalJson(current.config);
  return { next, changed };
}

export interface RunRow {
  id: string;
  agent_id: string;
  agent_revision: number;
  thread_id: string | null;
  schedule_id: string | null;
  input: string | null;
  status: string;
  output: string | null;
  error: string | null;
  idempotency_key: string | null;
  webhook_url: string | null;
  webhook_deliveries: string;
  timeout_ms: number;
  invoke_depth: number;
  trace_parent: string | null;
  trace_state: string | null;
  request_id: string | null;
  last_seq: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface EventRow {
  run_id: string;
  seq: number;
  type: string;
  data: string;
  created_at: string;
}

export function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    agentId: row.agent_id,
    agentRevision: row.agent_revision,
    threadId: row.thread_id,
    scheduleId: row.schedule_id,
    input: fromJson(row.input),
    status: row.status as RunStatus,
    output: fromJson(row.output),
    error: fromJson<RunError | null>(row.error),
    idempotencyKey: row.idempotency_key,
    webhookUrl: row.webhook_url,
    webhookDeliveries: fromJson<WebhookDelivery[]>(row.webhook_deliveries),
    timeoutMs: row.timeout_ms,
    invokeDepth: row.invoke_depth,
    traceParent: row.trace_parent,
    traceState: row.trace_state,
    requestId: row.request_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function toEvent(row: EventRow): StoredRunEvent {
  return {
    runId: row.run_id,
    seq: row.seq,
    type: row.type as RunEventType,
    data: fromJson<RunEventPayload>(row.data),
    createdAt: row.created_at,
  };
}

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  scopes: string;
  rate_limits: string;
  created_at: string;
  last_used_at: string | null;
}

export function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    scopes: fromJson<ApiKeyScope[]>(row.scopes),
    rateLimits: fromJson<ApiKeyRateLimits>(row.rate_limits),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export interface ScheduleRow {
  id: string;
  agent_id: string;
  cron: string;
  timezone: string;
  input: string | null;
  webhook_url: string | null;
  /** BOOLEAN in PostgreSQL, INTEGER 0/1 in SQLite. */
  enabled: boolean | number;
  overlap: string;
  next_run_at: string | null;
  last_run_at: string | null;
  last_run_id: string | null;
  created_at: string;
}

export function toSchedule(row: ScheduleRow): ScheduleRecord {
  return {
    id: row.id,
    agentId: row.agent_id,
    cron: row.cron,
    timezone: row.timezone,
    input: fromJson(row.input),
    webhookUrl: row.webhook_url,
    enabled: row.enabled === true || row.enabled === 1,
    overlap: row.overlap as ScheduleOverlap,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    lastRunId: row.last_run_id,
    createdAt: row.created_at,
  };
}

export interface ThreadRow {
  id: string;
  agent_id: string | null;
  metadata: string;
  created_at: string;
  updated_at: string;
}

export function toThread(row: ThreadRow): ThreadRecord {
  return {
    id: row.id,
    agentId: row.agent_id,
    metadata: fromJson(row.metadata),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** One group of a usage query: both dialects compute it in SQL with the same columns. */
export interface UsageRow {
  key: string;
  runs: number;
  errors: number;
  p50: number | null;
  p95: number | null;
}

/** Durations are reported in whole milliseconds; a group without runs has no quantiles. */
export function toUsage(row: UsageRow | undefined): RunUsage {
  const ms = (value: number | null | undefined) => (value == null ? null : Math.round(value));
  return { runs: row?.runs ?? 0, errors: row?.errors ?? 0, p50Ms: ms(row?.p50), p95Ms: ms(row?.p95) };
}
