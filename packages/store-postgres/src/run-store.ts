import { AgentrtError, ErrorCode } from "@agentrt/core";
import {
  type EventRow,
  nowIso,
  type RunEventPayload,
  type RunPatch,
  type RunRecord,
  type RunRow,
  type RunStore,
  type StoredRunEvent,
  toEvent,
  toRun,
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

/** Applies a patch and reserves `events` seqs in one statement (its row lock orders concurrent appends). */
async function updateRow(db: Queryable, id: string, patch: RunPatch, events: number): Promise<RunRow> {
  const params: unknown[] = [id, events];
  const sets = ["last_seq = last_seq + $2"];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const [column, encode] = PATCH_COLUMNS[field as keyof RunPatch];
    params.push(encode(value as never));
    sets.push(`${column} = $${params.length}`);
  }
  const { rows } = await db.query<RunRow>(
    `UPDATE runs SET ${sets.join(", ")} WHERE id = $1 RETURNING *`,
    params,
  );
  if (!rows[0]) throw runNotFound(id);
  return rows[0];
}

export interface RunStoreOptions {
  /** Holder of the runs this node inserts (the node that accepted a run), or none. */
  owner: string | null;
  /** NOTIFY channel told `<runId> <firstSeq>` in the transaction of every append (cluster fan-out). */
  eventChannel: string;
}

export function createRunStore(pool: pg.Pool, options: RunStoreOptions): RunStore {
  async function appendEvents(runId: string, payloads: RunEventPayload[], patch: RunPatch = {}) {
    return transaction(pool, async (client) => {
      const row = await updateRow(client, runId, patch, payloads.length);
      const createdAt = nowIso();
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
      if (events.length > 0) {
        // One statement for the whole batch: the columns go in as parallel arrays.
        await client.query(
          `INSERT INTO run_events (run_id, seq, type, data, created_at)
           SELECT $1, seq, type, data, $5 FROM unnest($2::int[], $3::text[], $4::text[]) AS e (seq, type, data)`,
          [
            runId,
            events.map((e) => e.seq),
            events.map((e) => e.type),
            payloads.map((p) => JSON.stringify(p)),
            createdAt,
          ],
        );
        // Only the position travels: listeners read the rows themselves (NOTIFY payloads are small).
        await client.query("SELECT pg_notify($1, $2)", [options.eventChannel, `${runId} ${first}`]);
      }
      return { events, run: toRun(row) };
    });
  }

  async function insert(db: Queryable, run: Parameters<RunStore["create"]>[0]): Promise<RunRecord> {
    try {
      const { rows } = await db.query<RunRow>(
        `INSERT INTO runs (id, agent_id, agent_revision, thread_id, schedule_id, input, status, idempotency_key,
                           webhook_url, webhook_deliveries, timeout_ms, created_at, owner, invoke_depth)
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, '[]', $9, $10, $11, $12)
         RETURNING *`,
        [
          run.id,
          run.agentId,
          run.agentRevision,
          run.threadId,
          run.scheduleId,
          toJson(run.input),
          run.idempotencyKey,
          run.webhookUrl,
          run.timeoutMs,
          nowIso(),
          options.owner,
          run.invokeDepth ?? 0,
        ],
      );
      return toRun(rows[0]!);
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
    async create(run, idempotentSince) {
      const key = run.idempotencyKey;
      if (key === null || idempotentSince === undefined)
        return { run: await insert(pool, run), created: true };
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
        if (rows[0]) return { run: toRun(rows[0]), created: false };
        return { run: await insert(client, run), created: true };
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
      return toRun(await updateRow(pool, id, patch, 0));
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
        `SELECT coalesce(sum((e.data::jsonb ->> 'promptTokens')::numeric
                             + (e.data::jsonb ->> 'completionTokens')::numeric), 0)::float8 AS tokens
         FROM runs r JOIN run_events e ON e.run_id = r.id
         WHERE r.agent_id = $1 AND (r.finished_at IS NULL OR r.finished_at >= $2)
           AND e.type = 'usage' AND e.created_at >= $2`,
        [agentId, since],
      );
      return rows[0]!.tokens;
    },
  };
}
