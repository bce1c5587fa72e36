import { AgentrtError, ErrorCode } from "@agentrt/core";
import { nowIso } from "./ids.js";
import { type RunEventPayload, type StoredRunEvent, TERMINAL_RUN_STATUSES } from "./run-events.js";
import {
  type AgentRecord,
  type AgentRevisionRecord,
  type ApiKeyRecord,
  type Page,
  type PageRequest,
  type RunPatch,
  type RunPruneRule,
  type RunRecord,
  type RunTombstone,
  type RunUsage,
  type ScheduleRecord,
  type Store,
  type ThreadRecord,
  UNSTORED_RUNS_KEPT_MS,
  type UnstoredRunRecord,
} from "./store.js";
import { applyAgentPatch, newAgentSettings } from "./store-records.js";

/**
 * Newest-first page over `items` (already filtered), ordered by a string key that sorts by creation
 * time (our ids). The cursor is the key of the last item handed out, exactly like the SQL stores.
 */
function pageOf<T>(items: Iterable<T>, key: (item: T) => string, page: PageRequest): Page<T> {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
  const after = page.cursor === undefined ? sorted : sorted.filter((item) => key(item) < page.cursor!);
  const slice = after.slice(0, page.limit);
  const more = after.length > slice.length;
  return {
    items: slice.map((item) => structuredClone(item)),
    nextCursor: more && slice.length > 0 ? key(slice[slice.length - 1]!) : null,
  };
}

function notFound(code: ErrorCode, what: string, id: string): AgentrtError {
  return new AgentrtError(code, `${what} ${id} does not exist`, { details: { id } });
}

function nameTaken(name: string): AgentrtError {
  return new AgentrtError(ErrorCode.AGENT_NAME_TAKEN, `an agent named "${name}" already exists`, {
    issues: [{ path: ["name"], message: "already in use" }],
  });
}

/** Revision numbers are zero-padded so they sort as strings, like ids do. */
/** Counts and nearest-rank duration quantiles of ended runs, as the SQL stores compute them. */
/** A run that started and ended, stored or not. */
type EndedRun = Pick<UnstoredRunRecord, "agentId" | "agentRevision" | "status" | "startedAt" | "finishedAt">;

function usageOf(ended: EndedRun[]): RunUsage {
  const ms = ended.map((r) => Date.parse(r.finishedAt) - Date.parse(r.startedAt)).sort((a, b) => a - b);
  const rank = (q: number) => (ms.length === 0 ? null : ms[Math.ceil(q * ms.length) - 1]!);
  return {
    runs: ended.length,
    errors: ended.filter((r) => r.status === "failed" || r.status === "timed_out").length,
    p50Ms: rank(0.5),
    p95Ms: rank(0.95),
  };
}

const REVISION_WIDTH = 12;
const revisionKey = (r: AgentRevisionRecord) => String(r.revision).padStart(REVISION_WIDTH, "0");

/**
 * A complete in-memory `Store`: the same semantics as the SQLite store, kept in maps. Records are
 * copied on the way in and out, so callers can never mutate stored state behind the store's back.
 * Used for engine tests, the conformance kit and the server's ephemeral mode.
 */
export function createMemoryStore(): Store {
  const agents = new Map<string, AgentRecord>();
  const revisions = new Map<string, AgentRevisionRecord[]>();
  const apiKeys = new Map<string, ApiKeyRecord>();
  const runs = new Map<string, RunRecord>();
  const events = new Map<string, StoredRunEvent[]>();
  /** Runs that executed and finished at or after `since`. */
  let unstored: UnstoredRunRecord[] = [];
  const endedSince = (since: string): EndedRun[] => [
    ...([...runs.values()].filter(
      (r) => r.startedAt !== null && r.finishedAt !== null && r.finishedAt >= since,
    ) as EndedRun[]),
    ...unstored.filter((r) => r.finishedAt >= since),
  ];
  const schedules = new Map<string, ScheduleRecord>();
  const threads = new Map<string, ThreadRecord>();
  const leases = new Map<string, { holder: string; until: number }>();
  const tombstones = new Map<string, RunTombstone>();
  const compacted = new Set<string>();
  const lastSeq = new Map<string, number>();

  const agentByName = (name: string) => [...agents.values()].find((a) => a.name === name);
  const requireRun = (id: string) => {
    const run = runs.get(id);
    if (!run) throw notFound(ErrorCode.RUN_NOT_FOUND, "run", id);
    return run;
  };
  const updateRun = (id: string, patch: RunPatch): RunRecord => {
    const next = { ...requireRun(id), ...structuredClone(patch) };
    runs.set(id, next);
    return next;
  };
  const appendEvents = (runId: string, payloads: RunEventPayload[]): StoredRunEvent[] => {
    requireRun(runId);
    const log = events.get(runId)!;
    // Numbered after the last event ever stored: compaction may have dropped some from the log.
    const last = lastSeq.get(runId) ?? 0;
    lastSeq.set(runId, last + payloads.length);
    const createdAt = nowIso();
    // Cloned before anything is stored, so a payload that can't be copied stores none of the batch.
    const appended = payloads.map(
      (payload, i): StoredRunEvent => ({
        runId,
        seq: last + 1 + i,
        type: payload.type,
        data: structuredClone(payload),
        createdAt,
      }),
    );
    log.push(...appended);
    return appended.map((event) => structuredClone(event));
  };

  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const removeRun = (run: RunRecord, reason: RunTombstone["reason"]) => {
    runs.delete(run.id);
    events.delete(run.id);
    lastSeq.delete(run.id);
    compacted.delete(run.id);
    tombstones.set(run.id, { id: run.id, agentId: run.agentId, reason, removedAt: nowIso() });
  };
  /** Finished runs matching the rule, oldest first (as the SQL stores pick them). */
  const prunable = (rule: RunPruneRule): RunRecord[] => {
    const scope = [...runs.values()]
      .filter(
        (r) =>
          r.agentId === rule.agentId && (rule.scheduleId === undefined || r.scheduleId === rule.scheduleId),
      )
      .sort(byId);
    const keepFrom = rule.keepLatest === undefined ? 0 : scope.length - rule.keepLatest;
    return scope.filter(
      (r, index) =>
        TERMINAL_RUN_STATUSES.has(r.status) &&
        ((rule.createdBefore !== undefined && r.createdAt < rule.createdBefore) ||
          (rule.finishedBefore !== undefined &&
            r.finishedAt !== null &&
            r.finishedAt < rule.finishedBefore) ||
          index < keepFrom),
    );
  };

  return {
    kind: "memory",
    agents: {
      async create(input) {
        if (agentByName(input.name)) throw nameTaken(input.name);
        const at = nowIso();
        const agent: AgentRecord = {
          ...structuredClone(input),
          ...structuredClone(newAgentSettings(input)),
          revision: 1,
          status: "active",
          createdAt: at,
          updatedAt: at,
        };
        agents.set(agent.id, agent);
        revisions.set(agent.id, [
          {
            agentId: agent.id,
            revision: 1,
            templateVersion: agent.templateVersion,
            config: structuredClone(agent.config),
            createdAt: at,
          },
        ]);
        return structuredClone(agent);
      },
      async get(idOrName) {
        const agent = agents.get(idOrName) ?? agentByName(idOrName);
        return agent && structuredClone(agent);
      },
      async list(filter) {
        const matching = [...agents.values()].filter(
          (a) =>
            (filter.templateName === undefined || a.templateName === filter.templateName) &&
            (filter.status === undefined || a.status === filter.status),
        );
        return pageOf(matching, (a) => a.id, filter);
      },
      async update(id, patch) {
        const current = agents.get(id);
        if (!current) throw notFound(ErrorCode.AGENT_NOT_FOUND, "agent", id);
        if (patch.name !== undefined && patch.name !== current.name) {
          if (agentByName(patch.name)) throw nameTaken(patch.name);
        }
        const applied = applyAgentPatch(current, structuredClone(patch));
        const { changed } = applied;
        const next: AgentRecord = { ...applied.next, revision: current.revision, updatedAt: nowIso() };
        if (changed) {
          next.revision = current.revision + 1;
          revisions.get(id)!.push({
            agentId: id,
            revision: next.revision,
            templateVersion: next.templateVersion,
            config: structuredClone(next.config),
            createdAt: next.updatedAt,
          });
        }
        agents.set(id, next);
        return structuredClone(next);
      },
      async delete(id) {
        revisions.delete(id);
        return agents.delete(id);
      },
      async revisions(agentId, page) {
        // Cursor is the last revision number handed out, as text; padded internally to sort.
        const cursor = page.cursor === undefined ? undefined : page.cursor.padStart(REVISION_WIDTH, "0");
        const result = pageOf(revisions.get(agentId) ?? [], revisionKey, { limit: page.limit, cursor });
        return {
          items: result.items,
          nextCursor: result.nextCursor === null ? null : String(Number(result.nextCursor)),
        };
      },
      async revision(agentId, revision) {
        const found = revisions.get(agentId)?.find((r) => r.revision === revision);
        return found && structuredClone(found);
      },
    },
    apiKeys: {
      async create(key) {
        const record: ApiKeyRecord = {
          rateLimits: {},
          ...structuredClone(key),
          createdAt: nowIso(),
          lastUsedAt: null,
        };
        apiKeys.set(record.id, record);
        return structuredClone(record);
      },
      async findByHash(hash) {
        const found = [...apiKeys.values()].find((k) => k.hash === hash);
        return found && structuredClone(found);
      },
      async get(id) {
        const found = apiKeys.get(id);
        return found && structuredClone(found);
      },
      async update(id, patch) {
        const current = apiKeys.get(id);
        if (!current) return undefined;
        const next = { ...current, ...structuredClone(patch) };
        apiKeys.set(id, next);
        return structuredClone(next);
      },
      async list(page) {
        return pageOf(apiKeys.values(), (k) => k.id, page);
      },
      async delete(id) {
        return apiKeys.delete(id);
      },
      async count() {
        return apiKeys.size;
      },
      async touch(id, at) {
        const key = apiKeys.get(id);
        if (key) key.lastUsedAt = at;
      },
    },
    runs: {
      async create(input, idempotentSince, initialEvents = []) {
        if (input.idempotencyKey !== null && idempotentSince !== undefined) {
          const existing = [...runs.values()].find(
            (r) =>
              r.agentId === input.agentId &&
              r.idempotencyKey === input.idempotencyKey &&
              r.createdAt >= idempotentSince,
          );
          if (existing) return { run: structuredClone(existing), created: false, events: [] };
        }
        // Like a primary-key violation in SQL: a programming error, not a client error.
        if (runs.has(input.id)) throw new Error(`run ${input.id} already exists`);
        const run: RunRecord = {
          ...structuredClone(input),
          invokeDepth: input.invokeDepth ?? 0,
          traceParent: input.traceParent ?? null,
          traceState: input.traceState ?? null,
          requestId: input.requestId ?? null,
          status: "queued",
          output: null,
          error: null,
          webhookDeliveries: [],
          createdAt: nowIso(),
          startedAt: null,
          finishedAt: null,
        };
        runs.set(run.id, run);
        events.set(run.id, []);
        const stored = appendEvents(run.id, initialEvents);
        return { run: structuredClone(run), created: true, events: stored };
      },
      async get(id) {
        const run = runs.get(id);
        return run && structuredClone(run);
      },
      async list(filter) {
        const matching = [...runs.values()].filter(
          (r) =>
            (filter.agentId === undefined || r.agentId === filter.agentId) &&
            (filter.status === undefined || r.status === filter.status) &&
            (filter.threadId === undefined || r.threadId === filter.threadId),
        );
        return pageOf(matching, (r) => r.id, filter);
      },
      async update(id, patch) {
        return structuredClone(updateRun(id, patch));
      },
      async listByStatus(statuses, limit) {
        return [...runs.values()]
          .filter((r) => statuses.includes(r.status))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .slice(0, limit)
          .map((r) => structuredClone(r));
      },
      async appendEvent(runId, payload: RunEventPayload) {
        return appendEvents(runId, [payload])[0]!;
      },
      async appendEvents(runId, payloads, patch) {
        const appended = appendEvents(runId, payloads);
        const run = patch ? updateRun(runId, patch) : requireRun(runId);
        return { events: appended, run: structuredClone(run) };
      },
      async events(runId, afterSeq, limit = Number.POSITIVE_INFINITY) {
        const log = events.get(runId) ?? [];
        // Usually seq n sits at index n - 1; after compaction there are gaps, so search back from there.
        let start = Math.min(Math.max(0, afterSeq), log.length);
        while (start > 0 && log[start - 1]!.seq > afterSeq) start--;
        return log.slice(start, start + limit).map((e) => structuredClone(e));
      },
      async tokensUsed(agentId, since) {
        let tokens = 0;
        for (const run of runs.values()) {
          if (run.agentId !== agentId) continue;
          for (const { data, createdAt } of events.get(run.id) ?? []) {
            if (data.type === "usage" && createdAt >= since)
              tokens += data.promptTokens + data.completionTokens;
          }
        }
        for (const run of unstored)
          if (run.agentId === agentId && run.finishedAt >= since) tokens += run.tokens;
        return tokens;
      },
      async usageByTemplateVersion(templateName, since) {
        const byVersion = new Map<string, EndedRun[]>();
        for (const run of endedSince(since)) {
          if (agents.get(run.agentId)?.templateName !== templateName) continue;
          const version = revisions
            .get(run.agentId)
            ?.find((r) => r.revision === run.agentRevision)?.templateVersion;
          if (version === undefined) continue;
          const list = byVersion.get(version) ?? [];
          list.push(run);
          byVersion.set(version, list);
        }
        return [...byVersion].map(([templateVersion, ended]) => ({ templateVersion, ...usageOf(ended) }));
      },
      async agentUsage(agentId, since) {
        return usageOf(endedSince(since).filter((run) => run.agentId === agentId));
      },
      async recordUnstored(records) {
        const kept = new Date(Date.now() - UNSTORED_RUNS_KEPT_MS).toISOString();
        unstored = [...unstored, ...structuredClone(records)].filter((r) => r.finishedAt >= kept);
      },
    },
    schedules: {
      async create(input) {
        const schedule: ScheduleRecord = {
          ...structuredClone(input),
          lastRunAt: null,
          lastRunId: null,
          createdAt: nowIso(),
        };
        schedules.set(schedule.id, schedule);
        return structuredClone(schedule);
      },
      async get(id) {
        const found = schedules.get(id);
        return found && structuredClone(found);
      },
      async list(filter) {
        const matching = [...schedules.values()].filter(
          (s) => filter.agentId === undefined || s.agentId === filter.agentId,
        );
        return pageOf(matching, (s) => s.id, filter);
      },
      async update(id, patch) {
        const found = schedules.get(id);
        if (!found) return undefined;
        const next = { ...found, ...structuredClone(patch) };
        schedules.set(id, next);
        return structuredClone(next);
      },
      async delete(id) {
        return schedules.delete(id);
      },
      async due(now, limit) {
        const at = Date.parse(now);
        return [...schedules.values()]
          .filter((s) => s.enabled && s.nextRunAt !== null && Date.parse(s.nextRunAt) <= at)
          .sort((a, b) => Date.parse(a.nextRunAt!) - Date.parse(b.nextRunAt!))
          .slice(0, limit)
          .map((s) => structuredClone(s));
      },
      async claim(id, expected, next, runId, at) {
        const schedule = schedules.get(id);
        if (!schedule || schedule.nextRunAt !== expected) return false;
        schedule.nextRunAt = next;
        schedule.lastRunAt = at;
        schedule.lastRunId = runId;
        return true;
      },
    },
    threads: {
      async create(input) {
        const at = nowIso();
        const thread: ThreadRecord = { ...structuredClone(input), createdAt: at, updatedAt: at };
        threads.set(thread.id, thread);
        return structuredClone(thread);
      },
      async get(id) {
        const found = threads.get(id);
        return found && structuredClone(found);
      },
      async list(filter) {
        const matching = [...threads.values()].filter(
          (t) => filter.agentId === undefined || t.agentId === filter.agentId,
        );
        return pageOf(matching, (t) => t.id, filter);
      },
      async touch(id, at) {
        const thread = threads.get(id);
        if (thread) thread.updatedAt = at;
      },
      async delete(id) {
        leases.delete(id);
        return threads.delete(id);
      },
      async acquireLease(id, holder, ttlMs) {
        if (!threads.has(id)) return false;
        const now = Date.now();
        const lease = leases.get(id);
        if (lease && lease.holder !== holder && lease.until > now) return false;
        leases.set(id, { holder, until: now + ttlMs });
        return true;
      },
      async releaseLease(id, holder) {
        if (leases.get(id)?.holder === holder) leases.delete(id);
      },
    },
    retention: {
      async deleteRun(id, reason) {
        const run = runs.get(id);
        if (!run) return "missing";
        if (!TERMINAL_RUN_STATUSES.has(run.status)) return "unfinished";
        removeRun(run, reason);
        return "deleted";
      },
      async pruneRuns(rule, reason, limit) {
        const matching = prunable(rule).slice(0, limit);
        for (const run of matching) removeRun(run, reason);
        return matching.length;
      },
      async compactEvents(rule, limit) {
        const types = new Set<string>(rule.types);
        const matching = [...runs.values()]
          .filter(
            (r) =>
              r.agentId === rule.agentId &&
              TERMINAL_RUN_STATUSES.has(r.status) &&
              !compacted.has(r.id) &&
              r.finishedAt !== null &&
              r.finishedAt < rule.finishedBefore,
          )
          .sort(byId)
          .slice(0, limit);
        for (const run of matching) {
          events.set(
            run.id,
            events.get(run.id)!.filter((e) => !types.has(e.type)),
          );
          compacted.add(run.id);
        }
        return matching.length;
      },
      async expireThreads(rule, limit) {
        const now = Date.now();
        const busy = new Set(
          [...runs.values()].filter((r) => !TERMINAL_RUN_STATUSES.has(r.status)).map((r) => r.threadId),
        );
        const matching = [...threads.values()]
          .filter(
            (t) =>
              t.agentId === rule.agentId &&
              t.updatedAt < rule.inactiveBefore &&
              !busy.has(t.id) &&
              !((leases.get(t.id)?.until ?? 0) > now),
          )
          .sort(byId)
          .slice(0, limit);
        for (const thread of matching) {
          threads.delete(thread.id);
          leases.delete(thread.id);
        }
        return matching.length;
      },
      async tombstone(runId) {
        const found = tombstones.get(runId);
        return found && { ...found };
      },
      async pruneTombstones(before, limit) {
        const old = [...tombstones.values()].filter((t) => t.removedAt < before).slice(0, limit);
        for (const t of old) tombstones.delete(t.id);
        return old.length;
      },
      async stats() {
        const oldest = [...runs.values()].sort(byId)[0];
        return { sizeBytes: null, freeBytes: null, oldestRunAt: oldest?.createdAt ?? null };
      },
      async reclaimSpace() {
        return 0;
      },
    },
    async ping() {},
    async close() {},
  };
}
