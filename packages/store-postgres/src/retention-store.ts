import type { RetentionStore, RunPruneRule, RunTombstone } from "@agentrt/runtime";
import type pg from "pg";
import { deleteCheckpoints } from "./checkpoint-cleanup.js";
import { type Queryable, transaction } from "./database.js";

const TERMINAL = "status IN ('succeeded', 'failed', 'cancelled', 'timed_out')";

interface TombstoneRow {
  id: string;
  agent_id: string;
  reason: string;
  removed_at: string;
}

/**
 * Candidate queries of one prune rule, each walking an index in removal order and stopping after
 * `limit` rows, so a batch costs what it removes rather than the size of the agent's history.
 * `$1` is the agent, `$2` the schedule (NULL: every run of the agent), `$3` the limit.
 */
function pruneQueries(rule: RunPruneRule): { sql: string; param: string | number }[] {
  const scope = "agent_id = $1 AND ($2::text IS NULL OR schedule_id = $2)";
  const queries: { sql: string; param: string | number }[] = [];
  if (rule.finishedBefore !== undefined) {
    queries.push({
      sql: `SELECT id FROM runs WHERE ${scope} AND finished_at < $4 AND ${TERMINAL} ORDER BY finished_at LIMIT $3`,
      param: rule.finishedBefore,
    });
  }
  if (rule.createdBefore !== undefined) {
    queries.push({
      sql: `SELECT id FROM runs WHERE ${scope} AND created_at < $4 AND ${TERMINAL} ORDER BY id LIMIT $3`,
      param: rule.createdBefore,
    });
  }
  if (rule.keepLatest !== undefined) {
    // Everything older than the keepLatest-th newest run (no such run: fewer than keepLatest, keep all).
    queries.push({
      sql: `SELECT id FROM runs WHERE ${scope} AND ${TERMINAL} AND id < coalesce(
              (SELECT id FROM runs WHERE ${scope} ORDER BY id DESC LIMIT 1 OFFSET $4::int), '')
            ORDER BY id LIMIT $3`,
      param: Math.max(1, rule.keepLatest) - 1,
    });
  }
  return queries;
}

/** Tombstones then deletes the given runs (events go by ON DELETE CASCADE); returns how many. */
async function remove(db: Queryable, ids: string[], reason: RunTombstone["reason"]): Promise<number> {
  if (ids.length === 0) return 0;
  await db.query(
    `INSERT INTO run_tombstones (id, agent_id, reason, removed_at)
     SELECT id, agent_id, $2, $3 FROM runs WHERE id = ANY($1::text[])
     ON CONFLICT (id) DO UPDATE SET agent_id = excluded.agent_id, reason = excluded.reason,
       removed_at = excluded.removed_at`,
    [ids, reason, new Date().toISOString()],
  );
  const { rowCount } = await db.query("DELETE FROM runs WHERE id = ANY($1::text[])", [ids]);
  return rowCount ?? 0;
}

/**
 * Retention deletes on PostgreSQL. Each batch is one short transaction; candidate rows are locked
 * and re-checked as finished so a run that another node just re-queued is never removed.
 * Freed space is PostgreSQL's to reuse: autovacuum marks dead rows reusable without help, so
 * `reclaimSpace` gives nothing back itself (a `VACUUM FULL` would lock the tables) and `freeBytes`
 * is unknown.
 */
export function createRetentionStore(pool: pg.Pool, schema: string): RetentionStore {
  return {
    async deleteRun(id, reason) {
      return transaction(pool, async (client) => {
        const { rows } = await client.query<{ finished: boolean }>(
          `SELECT ${TERMINAL} AS finished FROM runs WHERE id = $1 FOR UPDATE`,
          [id],
        );
        if (!rows[0]) return "missing" as const;
        if (!rows[0].finished) return "unfinished" as const;
        await remove(client, [id], reason);
        return "deleted" as const;
      });
    },

    async pruneRuns(rule, reason, limit) {
      return transaction(pool, async (client) => {
        const ids = new Set<string>();
        for (const query of pruneQueries(rule)) {
          const { rows } = await client.query<{ id: string }>(query.sql, [
            rule.agentId,
            rule.scheduleId ?? null,
            limit,
            query.param,
          ]);
          for (const row of rows) ids.add(row.id);
        }
        const chosen = [...ids].sort().slice(0, limit);
        // Lock and re-check: a candidate may have changed state since it was read.
        const { rows } = await client.query<{ id: string }>(
          `SELECT id FROM runs WHERE id = ANY($1::text[]) AND ${TERMINAL} ORDER BY id FOR UPDATE`,
          [chosen],
        );
        return remove(
          client,
          rows.map((row) => row.id),
          reason,
        );
      });
    },

    async compactEvents(rule, limit) {
      return transaction(pool, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `UPDATE runs SET compacted = true WHERE id IN (
             SELECT id FROM runs
             WHERE agent_id = $1 AND finished_at < $2 AND NOT compacted AND ${TERMINAL}
             ORDER BY finished_at LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING id`,
          [rule.agentId, rule.finishedBefore, limit],
        );
        if (rows.length > 0) {
          await client.query(
            "DELETE FROM run_events WHERE run_id = ANY($1::text[]) AND type = ANY($2::text[])",
            [rows.map((row) => row.id), [...rule.types]],
          );
        }
        return rows.length;
      });
    },

    async expireThreads(rule, limit) {
      return transaction(pool, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `SELECT id FROM threads t
           WHERE agent_id IS NOT DISTINCT FROM $1 AND updated_at < $2
             AND NOT EXISTS (SELECT 1 FROM runs WHERE thread_id = t.id AND status IN ('queued', 'running'))
             AND NOT EXISTS (SELECT 1 FROM thread_leases WHERE thread_id = t.id AND expires_at > $3)
           ORDER BY updated_at LIMIT $4 FOR UPDATE SKIP LOCKED`,
          [rule.agentId, rule.inactiveBefore, Date.now(), limit],
        );
        const ids = rows.map((row) => row.id);
        if (ids.length === 0) return 0;
        // A thread's conversation state is its LangGraph checkpoints (no foreign key to cascade).
        await deleteCheckpoints(client, "thread_id = ANY($1::text[])", [ids]);
        const result = await client.query("DELETE FROM threads WHERE id = ANY($1::text[])", [ids]);
        return result.rowCount ?? 0;
      });
    },

    async tombstone(runId) {
      const { rows } = await pool.query<TombstoneRow>("SELECT * FROM run_tombstones WHERE id = $1", [runId]);
      const row = rows[0];
      return (
        row && {
          id: row.id,
          agentId: row.agent_id,
          reason: row.reason as RunTombstone["reason"],
          removedAt: row.removed_at,
        }
      );
    },

    async pruneTombstones(before, limit) {
      const { rowCount } = await pool.query(
        `DELETE FROM run_tombstones WHERE id IN (
           SELECT id FROM run_tombstones WHERE removed_at < $1 ORDER BY removed_at LIMIT $2)`,
        [before, limit],
      );
      return rowCount ?? 0;
    },

    async stats() {
      // Every table of the schema, with its indexes and TOAST (the checkpointer's tables included).
      const { rows } = await pool.query<{ size: string; oldest: string | null }>(
        `SELECT (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm'))::text AS size,
                (SELECT created_at FROM runs ORDER BY id LIMIT 1) AS oldest`,
        [schema],
      );
      return { sizeBytes: Number(rows[0]!.size), freeBytes: null, oldestRunAt: rows[0]!.oldest };
    },

    async reclaimSpace() {
      return 0;
    },
  };
}
