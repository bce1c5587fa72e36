import { randomBytes } from "node:crypto";
import type { RunLeases, RunRecord } from "@agentrt/runtime";
import { type RunRow, toRun } from "@agentrt/runtime";
import type pg from "pg";

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
    async leave() {
      await pool.query("DELETE FROM nodes WHERE id = $1", [nodeId]);
    },
  };
}
