import { AgentrtError, ErrorCode } from "@agentrt/core";
import {
  type EventRow,
  nowIso,
  type RunEventPayload,
  type RunFence,
  RunHeldElsewhere,
  type RunPatch,
  type RunRecord,
  type RunRow,
  type RunStore,
  type StoredRunEvent,
  toEvent,
  toRun,
  toUsage,
  UNSTORED_RUNS_KEPT_MS,
  type UsageRow,
} from "@agentrt/runtime";
import type pg from "pg";
import { FOREIGN_KEY_VIOLATION, type Queryable, sqlState, transaction } from "./database.js";
import { listPage, pageLimit, toJson } from "./rows.js";

function runNotFound(id: string): AgentrtError {
  return new AgentrtError(ErrorCode.RUN_NOT_FOUND, `Run ${id} not found`, { details: { id } });
}

/** Patchable columns, by field; an update sets exactly the fields given. */
const PATCH_COLUMNS: Record<keyof RunPatch, [column: string, encode: (value: never) => unknown]> = {
  status: ["status", (v: string) => v],
  output: ["output", (v: unknown) => toJson(v)],
  error: ["error", (v: unknown) => toJson(v)],
  startedAt: ["started_at", (v: string | null) => v],
  finishedAt: ["finished_at", (v: string | null) => v],
  webhookDeliveries: ["webhook_deliveries", (v: unknown) => toJson(v)],
};

/**
 * Counts and nearest-rank duration quantiles of the runs that started and finished since `$2`, per
 * `key`: the smallest duration whose rank reaches q of the group's runs.
 */
function usageQuery(key: string, from: string): string {
  // `from` joins and filters either table as `r`: stored runs, and unstored ones.
  const ended = (table: string, started: string) => `
      SELECT ${key} AS key, r.status,
             (extract(epoch FROM r.finished_at::timestamptz) - extract(epoch FROM r.started_at::timestamptz))
               * 1000 AS ms
      FROM ${table} r ${from} AND r.finished_at >= $2${started}`;
  return `
    WITH ended AS (${ended("runs", " AND r.started_at IS NOT NULL")}
      UNION ALL ${ended("unstored_runs", "")}
    ), ranked AS (
      SELECT key, status, ms, row_number() OVER (PARTITION BY key ORDER BY ms) AS rn,
             count(*) OVER (PARTITION BY key) AS n
      FROM ended
    )
    SELECT key, count(*)::int AS runs,
           (count(*) FILTER (WHERE status IN ('failed', 'timed_out')))::int AS errors,
           round(min(ms) FILTER (WHERE rn >= 0.5 * n))::float8 AS p50,
           round(min(ms) FILTER (WHERE rn >= 0.95 * n))::float8 AS p95
    FROM ranked GROUP BY key`;
}

const TEMPLATE_USAGE = usageQuery(
  "rev.template_version",
  `JOIN agents a ON a.id = r.agent_id
   JOIN agent_revisions rev ON rev.agent_id = r.agent_id AND rev.revision = r.agent_revision
   WHERE a.template_name = $1`,
);
const AGENT_USAGE = usageQuery("''", "WHERE r.agent_id = $1");

/**
 * The statement that applies a patch and reserves `events` seqs (its row lock orders concurrent
 * appends): `$1` is the run id, `$2` the number of events, the patched values follow.
 */
function updateStatement(
  id: string,
  patch: RunPatch,
  events: number,
  fence?: RunFence,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [id, events];
  const sets = ["last_seq = last_seq + $2"];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const [column, encode] = PATCH_COLUMNS[field as keyof RunPatch];
    params.push(encode(value as never));
    sets.push(`${column} = $${params.length}`);
  }
  let where = "id = $1";
  if (fence !== undefined) {
    params.push(fence.holder, fence.epoch);
    where += ` AND owner = $${params.length - 1} AND epoch = $${params.length}`;
  }
  return { sql: `UPDATE runs SET ${sets.join(", ")} WHERE ${where} RETURNING *`, params };
}

async function updateRow(db: Queryable, id: string, patch: RunPatch, fence?: RunFence): Promise<RunRow> {
  const { sql, params } = updateStatement(id, patch, 0, fence);
  const { rows } = await db.query<RunRow>(sql, params);
  return rows[0] ?? (await missing(db, id, fence));
}

/** Why an update matched no row: the run is gone, or (fenced) another execution holds it now. */
async function missing(db: Queryable, id: string, fence: RunFence | undefined): Promise<never> {
  if (fence !== undefined && (await db.query("SELECT 1 FROM runs WHERE id = $1", [id])).rowCount) {
    throw new RunHeldElsewhere(id, fence);
  }
  throw runNotFound(id);
}

export interface RunStoreOptions {
  /** Holder of the runs this node inserts (the node that accepted a run), or none. */
  owner: string | null;
  /** NOTIFY channel told `<runId> <firstSeq>` in the transaction of every append (cluster fan-out). */
  eventChannel: string;
}

export function createRunStore(pool: pg.Pool, options: RunStoreOptions): RunStore {
  /**
   * One statement, so one round trip: the row update (which numbers the events), the event rows
   * (the columns as parallel arrays) and the NOTIFY of their position (listeners read the rows
   * themselves: NOTIFY payloads are small).
   */
  async function appendEvents(
    runId: string,
    payloads: RunEventPayload[],
    patch: RunPatch = {},
    fence?: RunFence,
  ) {
    if (payloads.length === 0) return { events: [], run: toRun(await updateRow(pool, runId, patch, fence)) };
    const { sql, params } = updateStatement(runId, patch, payloads.length, fence);
    const createdAt = nowIso();
    const at = params.length;
    params.push(
      payloads.map((p) => p.type),
      payloads.map((p) => JSON.stringify(p)),
      createdAt,
      options.eventChannel,
    );
    const { rows } = await pool.query<RunRow>(
      `WITH r AS (${sql}),
       e AS (INSERT INTO run_events (run_id, seq, type, data, created_at)
             SELECT r.id, r.last_seq - $2 + v.ord, v.type, v.data, $${at + 3}
             FROM r, unnest($${at + 1}::text[], $${at + 2}::text[]) WITH ORDINALITY AS v (type, data, ord)),
       n AS (SELECT pg_notify($${at + 4}, r.id || ' ' || (r.last_seq - $2 + 1)) FROM r)
       SELECT r.* FROM r CROSS JOIN n`,
      params,
    );
    const row = rows[0] ?? (await missing(pool, runId, fence));
    const first = row.last_seq - payloads.length + 1;
    const events = payloads.map(
      (payload, i): StoredRunEvent => ({
        runId,
        seq: first + i,
        type: payload.type,
        data: payload,
        createdAt,
      }),
    );
    return { events, run: toRun(row) };
  }

  /**
   * Inserts a queued run with its first events (their seqs reserved on the row) in one statement,
   * so a submission is one round trip; the events' NOTIFY goes out with it, as for any append.
   */
  async function insert(
    db: Queryable,
    run: Parameters<RunStore["create"]>[0],
    payloads: RunEventPayload[],
  ): Promise<{ run: RunRecord; created: true; events: StoredRunEvent[] }> {
    const createdAt = nowIso();
    const params = [
      run.id,
      run.agentId,
      run.agentRevision,
      run.threadId,
      run.scheduleId,
      toJson(run.input),
      run.idempotencyKey,
      run.webhookUrl,
      run.timeoutMs,
      createdAt,
      options.owner,
      run.invokeDepth ?? 0,
      payloads.length,
      run.traceParent ?? null,
      run.traceState ?? null,
      run.requestId ?? null,
    ];
    const insertRun = `INSERT INTO runs (id, agent_id, agent_revision, thread_id, schedule_id, input, status,
                          idempotency_key, webhook_url, webhook_deliveries, timeout_ms, created_at, owner,
                          invoke_depth, last_seq, trace_parent, trace_state, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, '[]', $9, $10, $11, $12, $13, $14, $15, $16)
       RETURNING *`;
    try {
      // The event rows' foreign key is checked at the end of the statement, when the run row exists.
      const { rows } = await db.query<RunRow>(
        payloads.length === 0
          ? insertRun
          : `WITH r AS (${insertRun}),
             e AS (INSERT INTO run_events (run_id, seq, type, data, created_at)
                   SELECT $1, seq, type, data, $10 FROM unnest($17::int[], $18::text[], $19::text[]) AS v (seq, type, data)),
             n AS (SELECT pg_notify($20, $1 || ' 1'))
           SELECT r.* FROM r CROSS JOIN n`,
        payloads.length === 0
          ? params
          : [
              ...params,
              payloads.map((_, i) => i + 1),
              payloads.map((p) => p.type),
              payloads.map((p) => JSON.stringify(p)),
              options.eventChannel,
            ],
      );
      const events = payloads.map(
        (payload, i): StoredRunEvent => ({
          runId: run.id,
          seq: i + 1,
          type: payload.type,
          data: payload,
          createdAt,
        }),
      );
      return { run: toRun(rows[0]!), created: true, events };
    } catch (error) {
      if (sqlState(error) === FOREIGN_KEY_VIOLATION) {
        throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `Agent ${run.agentId} not found`, {
          details: { id: run.agentId },
          cause: error,
        });
      }
      throw error;
    }
  }

  return {
    async create(run, idempotentSince, events = []) {
      const key = run.idempotencyKey;
      if (key === null || idempotentSince === undefined) return insert(pool, run, events);
      // A transaction-scoped advisory lock on (agent, key) makes look-up and insert one step for
      // every node: two requests with one key create one run.
      return transaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
          `agentrt.idem ${run.agentId} ${key}`,
        ]);
        const { rows } = await client.query<RunRow>(
          `SELECT * FROM runs WHERE agent_id = $1 AND idempotency_key = $2 AND created_at >= $3
           ORDER BY created_at DESC, id DESC LIMIT 1`,
          [run.agentId, key, idempotentSince],
        );
        if (rows[0]) return { run: toRun(rows[0]), created: false, events: [] };
        return insert(client, run, events);
      });
    },

    async get(id) {
      const { rows } = await pool.query<RunRow>("SELECT * FROM runs WHERE id = $1", [id]);
      return rows[0] ? toRun(rows[0]) : undefined;
    },

    list: (filter) =>
      listPage(
        pool,
        "runs",
        { agent_id: filter.agentId, status: filter.status, thread_id: filter.threadId },
        filter,
        toRun,
      ),

    async update(id, patch) {
      return toRun(await updateRow(pool, id, patch));
    },

    async listByStatus(statuses, limit) {
      const { rows } = await pool.query<RunRow>(
        "SELECT * FROM runs WHERE status = ANY($1::text[]) ORDER BY id ASC LIMIT $2",
        [statuses, pageLimit(limit)],
      );
      return rows.map(toRun);
    },

    async appendEvent(runId, payload) {
      return (await appendEvents(runId, [payload])).events[0]!;
    },

    appendEvents,

    async events(runId, afterSeq, limit) {
      const { rows } = await pool.query<EventRow>(
        "SELECT * FROM run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        [runId, afterSeq, limit ?? null],
      );
      return rows.map(toEvent);
    },

    async tokensUsed(agentId, since) {
      // Runs still going or ended since the window opened: only they can hold usage recorded in it.
      const { rows } = await pool.query<{ tokens: number }>(
        `SELECT ((SELECT coalesce(sum((e.data::jsonb ->> 'promptTokens')::numeric
                                      + (e.data::jsonb ->> 'completionTokens')::numeric), 0)
                  FROM runs r JOIN run_events e ON e.run_id = r.id
                  WHERE r.agent_id = $1 AND (r.finished_at IS NULL OR r.finished_at >= $2)
                    AND e.type = 'usage' AND e.created_at >= $2)
               + (SELECT coalesce(sum(tokens), 0) FROM unstored_runs
                  WHERE agent_id = $1 AND finished_at >= $2))::float8 AS tokens`,
        [agentId, since],
      );
      return rows[0]!.tokens;
    },

    async usageByTemplateVersion(templateName, since) {
      const { rows } = await pool.query<UsageRow>(TEMPLATE_USAGE, [templateName, since]);
      return rows.map((row) => ({ templateVersion: row.key, ...toUsage(row) }));
    },
    async agentUsage(agentId, since) {
      const { rows } = await pool.query<UsageRow>(AGENT_USAGE, [agentId, since]);
      return toUsage(rows[0]);
    },
    async recordUnstored(records) {
      const kept = new Date(Date.now() - UNSTORED_RUNS_KEPT_MS).toISOString();
      // One statement: the batch's rows as arrays, those already too old left out (the DELETE does
      // not see rows the same statement inserts), and the old ones out.
      await pool.query(
        `WITH added AS (
           INSERT INTO unstored_runs (agent_id, agent_revision, status, started_at, finished_at, tokens)
           SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[])
             AS u (agent_id, agent_revision, status, started_at, finished_at, tokens)
           WHERE u.finished_at >= $7
         )
         DELETE FROM unstored_runs WHERE finished_at < $7`,
        [
          records.map((r) => r.agentId),
          records.map((r) => r.agentRevision),
          records.map((r) => r.status),
          records.map((r) => r.startedAt),
          records.map((r) => r.finishedAt),
          records.map((r) => r.tokens),
          kept,
        ],
      );
    },
  };
}
