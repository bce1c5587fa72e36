import { AgentrtError, ErrorCode } from "@agentrt/core";
import { nowIso, type ThreadRow, type ThreadStore, toThread } from "@agentrt/runtime";
import type pg from "pg";
import { deleteCheckpoints } from "./checkpoint-cleanup.js";
import { FOREIGN_KEY_VIOLATION, sqlState, transaction } from "./database.js";
import { listPage } from "./rows.js";

export function createThreadStore(pool: pg.Pool): ThreadStore {
  return {
    async create(thread) {
      try {
        const { rows } = await pool.query<ThreadRow>(
          `INSERT INTO threads (id, agent_id, metadata, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $4) RETURNING *`,
          [thread.id, thread.agentId, JSON.stringify(thread.metadata), nowIso()],
        );
        return toThread(rows[0]!);
      } catch (error) {
        if (sqlState(error) === FOREIGN_KEY_VIOLATION) {
          throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `Agent ${thread.agentId} not found`, {
            details: { id: thread.agentId },
            cause: error,
          });
        }
        throw error;
      }
    },

    async get(id) {
      const { rows } = await pool.query<ThreadRow>("SELECT * FROM threads WHERE id = $1", [id]);
      return rows[0] ? toThread(rows[0]) : undefined;
    },

    list: (filter) => listPage(pool, "threads", { agent_id: filter.agentId }, filter, toThread),

    async touch(id, at) {
      await pool.query("UPDATE threads SET updated_at = $1 WHERE id = $2", [at, id]);
    },

    async delete(id) {
      // A thread's conversation state is its LangGraph checkpoints (thread_id = the thread's id).
      return transaction(pool, async (client) => {
        await deleteCheckpoints(client, "thread_id = $1", [id]);
        return ((await client.query("DELETE FROM threads WHERE id = $1", [id])).rowCount ?? 0) > 0;
      });
    },

    async acquireLease(id, holder, ttlMs) {
      // Taken when free, expired or already ours; only for a thread that exists. The conflict
      // clause takes the row lock, so two nodes asking at once get one answer each, one of them yes.
      const now = Date.now();
      const { rowCount } = await pool.query(
        `INSERT INTO thread_leases (thread_id, holder, expires_at)
         SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM threads WHERE id = $1)
         ON CONFLICT (thread_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE thread_leases.holder = excluded.holder OR thread_leases.expires_at <= $4`,
        [id, holder, now + ttlMs, now],
      );
      return (rowCount ?? 0) > 0;
    },

    async releaseLease(id, holder) {
      await pool.query("DELETE FROM thread_leases WHERE thread_id = $1 AND holder = $2", [id, holder]);
    },
  };
}
