import type { DatabaseSync } from "node:sqlite";
import type { RetentionStore, RunPruneRule, RunTombstone } from "@agentrt/runtime";
import { prepareCheckpointDeletes } from "./checkpoint-cleanup.js";
import { createStatementCache } from "./database.js";
import type { GroupCommit } from "./group-commit.js";

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
 */
function pruneQueries(rule: RunPruneRule): { sql: string; params: (string | number)[] }[] {
  const scope = rule.scheduleId === undefined ? "agent_id = ?" : "agent_id = ? AND schedule_id = ?";
  const scopeParams = rule.scheduleId === undefined ? [rule.agentId] : [rule.agentId, rule.scheduleId];
  const queries: { sql: string; params: (string | number)[] }[] = [];
  if (rule.finishedBefore !== undefined) {
    queries.push({
      sql: `SELECT id FROM runs WHERE ${scope} AND finished_at < ? AND ${TERMINAL} ORDER BY finished_at LIMIT ?`,
      params: [...scopeParams, rule.finishedBefore],
    });
  }
  if (rule.createdBefore !== undefined) {
    queries.push({
      sql: `SELECT id FROM runs WHERE ${scope} AND created_at < ? AND ${TERMINAL} ORDER BY id LIMIT ?`,
      params: [...scopeParams, rule.createdBefore],
    });
  }
  if (rule.keepLatest !== undefined) {
    // Everything older than the keepLatest-th newest run (no such run: fewer than keepLatest, keep all).
    queries.push({
      sql: `SELECT id FROM runs WHERE ${scope} AND ${TERMINAL} AND id < COALESCE(
              (SELECT id FROM runs WHERE ${scope} ORDER BY id DESC LIMIT 1 OFFSET ?), '')
            ORDER BY id LIMIT ?`,
      params: [...scopeParams, ...scopeParams, Math.max(1, rule.keepLatest) - 1],
    });
  }
  return queries;
}

/**
 * Retention deletes go through the group commit like every other write: each batch is one op in
 * a short transaction between request writes. Space freed by deletes is given back by
 * `incremental_vacuum` (the database is opened with `auto_vacuum = INCREMENTAL`).
 */
export function createRetentionStore(db: DatabaseSync, group: GroupCommit): RetentionStore {
  const prepare = createStatementCache(db);
  const selectRunState = db.prepare(`SELECT ${TERMINAL} AS finished FROM runs WHERE id = ?`);
  const insertTombstones = db.prepare(`
    INSERT OR REPLACE INTO run_tombstones (id, agent_id, reason, removed_at)
    SELECT id, agent_id, ?, ? FROM runs WHERE id IN (SELECT value FROM json_each(?))`);
  // Events go by ON DELETE CASCADE.
  const deleteRuns = db.prepare("DELETE FROM runs WHERE id IN (SELECT value FROM json_each(?))");
  const selectUncompacted = db.prepare(`
    SELECT id FROM runs WHERE agent_id = ? AND finished_at < ? AND compacted = 0 AND ${TERMINAL}
    ORDER BY finished_at LIMIT ?`);
  // One statement each per batch rather than two per run: about a quarter of the CPU per run.
  const deleteEventTypes = db.prepare(`
    DELETE FROM run_events
    WHERE run_id IN (SELECT value FROM json_each(?)) AND type IN (SELECT value FROM json_each(?))`);
  const markCompacted = db.prepare(
    "UPDATE runs SET compacted = 1 WHERE id IN (SELECT value FROM json_each(?))",
  );
  const selectIdleThreads = db.prepare(`
    SELECT id FROM threads t
    WHERE agent_id IS ? AND updated_at < ?
      AND NOT EXISTS (SELECT 1 FROM runs WHERE thread_id = t.id AND status IN ('queued', 'running'))
      AND NOT EXISTS (SELECT 1 FROM thread_leases WHERE thread_id = t.id AND expires_at > ?)
    ORDER BY updated_at LIMIT ?`);
  const deleteCheckpoints = prepareCheckpointDeletes(db, "thread_id = ?");
  const deleteThread = db.prepare("DELETE FROM threads WHERE id = ?");
  const selectTombstone = db.prepare("SELECT * FROM run_tombstones WHERE id = ?");
  const pruneTombstones = db.prepare(`
    DELETE FROM run_tombstones WHERE id IN (
      SELECT id FROM run_tombstones WHERE removed_at < ? ORDER BY removed_at LIMIT ?)`);
  const selectOldestRun = db.prepare("SELECT created_at FROM runs ORDER BY id LIMIT 1");

  function remove(ids: string[], reason: RunTombstone["reason"]): number {
    if (ids.length === 0) return 0;
    const list = JSON.stringify(ids);
    insertTombstones.run(reason, new Date().toISOString(), list);
    return Number(deleteRuns.run(list).changes);
  }

  const pragma = (name: string) => Number(Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0] ?? 0);

  return {
    deleteRun(id, reason) {
      return group.write(() => {
        const row = selectRunState.get(id) as { finished: number } | undefined;
        if (!row) return "missing" as const;
        if (!row.finished) return "unfinished" as const;
        remove([id], reason);
        return "deleted" as const;
      });
    },

    pruneRuns(rule, reason, limit) {
      return group.write(() => {
        const ids = new Set<string>();
        for (const query of pruneQueries(rule)) {
          const rows = prepare(query.sql).all(...query.params, limit) as { id: string }[];
          for (const row of rows) ids.add(row.id);
        }
        return remove([...ids].sort().slice(0, limit), reason);
      });
    },

    compactEvents(rule, limit) {
      return group.write(() => {
        const rows = selectUncompacted.all(rule.agentId, rule.finishedBefore, limit) as { id: string }[];
        if (rows.length === 0) return 0;
        const ids = JSON.stringify(rows.map((row) => row.id));
        deleteEventTypes.run(ids, JSON.stringify(rule.types));
        markCompacted.run(ids);
        return rows.length;
      });
    },

    expireThreads(rule, limit) {
      return group.write(() => {
        const now = Date.now();
        const rows = selectIdleThreads.all(rule.agentId, rule.inactiveBefore, now, limit) as { id: string }[];
        // A thread's conversation state is its LangGraph checkpoints (no foreign key to cascade).
        for (const { id } of rows) {
          deleteCheckpoints(id);
          deleteThread.run(id);
        }
        return rows.length;
      });
    },

    tombstone(runId) {
      return group.read(() => {
        const row = selectTombstone.get(runId) as TombstoneRow | undefined;
        return (
          row && {
            id: row.id,
            agentId: row.agent_id,
            reason: row.reason as RunTombstone["reason"],
            removedAt: row.removed_at,
          }
        );
      });
    },

    pruneTombstones(before, limit) {
      return group.write(() => Number(pruneTombstones.run(before, limit).changes));
    },

    stats() {
      return group.read(() => {
        const pageSize = pragma("page_size");
        const oldest = selectOldestRun.get() as { created_at: string } | undefined;
        return {
          sizeBytes: pragma("page_count") * pageSize,
          freeBytes: pragma("freelist_count") * pageSize,
          oldestRunAt: oldest?.created_at ?? null,
        };
      });
    },

    reclaimSpace(maxBytes) {
      return group.write(() => {
        const pageSize = pragma("page_size");
        const before = pragma("freelist_count");
        const pages = Math.max(1, Math.ceil(maxBytes / pageSize));
        // Moves pages from the end of the file into free slots and truncates; no-op unless
        // auto_vacuum is INCREMENTAL (see `ensureIncrementalVacuum`).
        db.exec(`PRAGMA incremental_vacuum(${pages})`);
        return (before - pragma("freelist_count")) * pageSize;
      });
    },
  };
}
