import { randomBytes } from "node:crypto";
import type { RunLeases, RunRecord } from "@agentrt/runtime";
import type pg from "pg";
import { transaction } from "./database.js";
import { type RunRow, toRun } from "./run-store.js";

/** A fresh id per process: a restarted node is a new node, and its old runs are taken over. */
export function newNodeId(): string {
  return `node_${Date.now().toString(36)}_${randomBytes(5).toString("hex")}`;
}

export function createRunLeases(pool: pg.Pool, nodeId: string): RunLeases {
  // SKIP LOCKED: nodes sweeping at once each get other rows, and none waits for another.
  return {
    nodeId,
    async heartbeat(ttlMs) {
      await pool.query(
        `INSERT INTO nodes (id, expires_at, started_at) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`,
        [nodeId, Date.now() + ttlMs, new Date().toISOString()],
      );
    },
    async takeOver(status, limit) {
      const { rows } = await pool.query<RunRow>(
        `UPDATE runs SET owner = $1
         WHERE id IN (
           SELECT id FROM runs
           WHERE status = $4
             AND (owner IS NULL OR owner NOT IN (SELECT id FROM nodes WHERE expires_at > $2))
           ORDER BY id
           LIMIT $3
           FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [nodeId, Date.now(), limit, status],
      );
      await pool.query("DELETE FROM nodes WHERE expires_at <= $1", [Date.now()]);
      return rows.map(toRun).sort((a: RunRecord, b: RunRecord) => (a.id < b.id ? -1 : 1));
    },
    start: (runId, limits) =>
      // One lock for every start in the cluster: under READ COMMITTED each statement sees the rows
      // committed before it began, so the counts are only exact while no other start runs at once.
      // The lock is taken in its own statement, before the update that counts.
      transaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('agentrt.run-start'))");
        const { rows } = await client.query<{ status: string; owner: string | null; turn: boolean }>(
          `SELECT status, owner,
                  NOT EXISTS (SELECT 1 FROM runs o WHERE o.thread_id = runs.thread_id AND o.id < runs.id
                                                     AND o.status IN ('queued', 'running'))
                  AND ($2::int IS NULL OR (
                    (SELECT count(*) FROM runs WHERE status = 'running') < $2
                    AND (SELECT count(*) FROM runs r WHERE r.status = 'running' AND r.agent_id = runs.agent_id) < $3
                  )) AS turn
           FROM runs WHERE id = $1`,
          [runId, limits?.global ?? null, limits?.perAgent ?? null],
        );
        const run = rows[0];
        if (run?.status !== "queued" || run.owner !== nodeId) return "gone";
        if (!run.turn) return "wait";
        // Started now, after the lock: no run that freed the slot ended later than this one starts.
        await client.query("UPDATE runs SET status = 'running', started_at = $2 WHERE id = $1", [
          runId,
          new Date().toISOString(),
        ]);
        return "started";
      }),
    async leave() {
      await pool.query("DELETE FROM nodes WHERE id = $1", [nodeId]);
    },
  };
}
