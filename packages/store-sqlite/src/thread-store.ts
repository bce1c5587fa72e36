import type { DatabaseSync } from "node:sqlite";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import { nowIso, type ThreadRow, type ThreadStore, toThread } from "@agentrt/runtime";
import { prepareCheckpointDeletes } from "./checkpoint-cleanup.js";
import { transaction } from "./database.js";
import { createListQuery } from "./list-query.js";
import { pageLimit, toPage } from "./pagination.js";
import { isForeignKeyViolation } from "./sqlite-errors.js";

export function createThreadStore(db: DatabaseSync): ThreadStore {
  const insertThread = db.prepare(`
    INSERT INTO threads (id, agent_id, metadata, created_at, updated_at)
    VALUES ($id, $agentId, $metadata, $now, $now)
    RETURNING *`);
  const selectThread = db.prepare("SELECT * FROM threads WHERE id = ?");
  const touchThread = db.prepare("UPDATE threads SET updated_at = ? WHERE id = ?");
  const deleteThread = db.prepare("DELETE FROM threads WHERE id = ?");
  const deleteCheckpoints = prepareCheckpointDeletes(db, "thread_id = ?");
  const listThreads = createListQuery(db, "threads");
  // Taken when free, expired or already ours; only for a thread that exists.
  const acquireLease = db.prepare(`
    INSERT INTO thread_leases (thread_id, holder, expires_at)
    SELECT $id, $holder, $until WHERE EXISTS (SELECT 1 FROM threads WHERE id = $id)
    ON CONFLICT (thread_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE thread_leases.holder = excluded.holder OR thread_leases.expires_at <= $now`);
  const releaseLease = db.prepare("DELETE FROM thread_leases WHERE thread_id = ? AND holder = ?");

  return {
    async create(thread) {
      try {
        const row = insertThread.get({
          id: thread.id,
          agentId: thread.agentId,
          metadata: JSON.stringify(thread.metadata),
          now: nowIso(),
        });
        return toThread(row as unknown as ThreadRow);
      } catch (error) {
        if (isForeignKeyViolation(error)) {
          throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `Agent ${thread.agentId} not found`, {
            details: { id: thread.agentId },
            cause: error,
          });
        }
        throw error;
      }
    },

    async get(id) {
      const row = selectThread.get(id) as ThreadRow | undefined;
      return row ? toThread(row) : undefined;
    },

    async list(filter) {
      const rows = listThreads({ agent_id: filter.agentId }, filter) as ThreadRow[];
      return toPage(rows.map(toThread), pageLimit(filter.limit), (thread) => thread.id);
    },

    async touch(id, at) {
      touchThread.run(at, id);
    },

    async delete(id) {
      // A thread's conversation state is its LangGraph checkpoints (thread_id = the thread's id).
      return transaction(db, () => {
        deleteCheckpoints(id);
        return deleteThread.run(id).changes > 0;
      });
    },

    async acquireLease(id, holder, ttlMs) {
      const now = Date.now();
      return acquireLease.run({ id, holder, until: now + ttlMs, now }).changes > 0;
    },

    async releaseLease(id, holder) {
      releaseLease.run(id, holder);
    },
  };
}
