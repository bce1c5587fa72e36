import { randomBytes } from "node:crypto";
import {
  type ClusterLimits,
  type RunFence,
  type RunLeases,
  type RunRecord,
  type RunRow,
  toRun,
} from "@agentrt/runtime";
import type pg from "pg";
import { transaction } from "./database.js";

/** A fresh id per process: a restarted node is a new node, and its old runs are taken over. */
export function newNodeId(): string {
  return `node_${Date.now().toString(36)}_${randomBytes(5).toString("hex")}`;
}

export function createRunLeases(pool: pg.Pool, nodeId: string): RunLeases {
  /**
   * Starts the run if it is this node's and its turn (thread, cluster limits); under the start lock.
   * The new epoch fences this execution's writes.
   */
  async function claim(
    client: pg.PoolClient,
    runId: string,
    limits: ClusterLimits | null,
  ): Promise<RunFence | "wait" | "gone"> {
    // Started now, after the lock: no run that freed the slot ended later than this one starts.
    const started = await client.query<{ epoch: number }>(
      `UPDATE runs SET status = 'running', started_at = $2, epoch = epoch + 1
       WHERE id = $1 AND status = 'queued' AND owner = $3
         AND NOT EXISTS (SELECT 1 FROM runs o WHERE o.thread_id = runs.thread_id AND o.id < runs.id
                                              AND o.status IN ('queued', 'running'))
         AND ($4::int IS NULL OR (
           (SELECT count(*) FROM runs WHERE status = 'running') < $4
           AND (SELECT count(*) FROM runs r WHERE r.status = 'running' AND r.agent_id = runs.agent_id) < $5))
       RETURNING epoch`,
      [runId, new Date().toISOString(), nodeId, limits?.global ?? null, limits?.perAgent ?? null],
    );
    if (started.rows[0]) return { holder: nodeId, epoch: started.rows[0].epoch };
    // Not started: still this node's to start later, or not any more.
    const { rows } = await client.query<{ status: string; owner: string | null }>(
      "SELECT status, owner FROM runs WHERE id = $1",
      [runId],
    );
    return rows[0]?.status === "queued" && rows[0].owner === nodeId ? "wait" : "gone";
  }

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
        `UPDATE runs SET owner = $1, epoch = epoch + 1
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
    start(runId, limits) {
      // One lock for every start in the cluster: under READ COMMITTED each statement sees the rows
      // committed before it began, so the counts are only exact while no other start runs at once;
      // the lock is taken in a statement before the update that counts. One round trip opens the
      // transaction and locks. No wait for the disk at commit: the `run.started` append that
      // follows commits synchronously and flushes this too (lost in a server crash, the run is
      // merely still queued).
      return transaction(
        pool,
        (client) => claim(client, runId, limits),
        "BEGIN; SET LOCAL synchronous_commit TO OFF; SELECT pg_advisory_xact_lock(hashtext('agentrt.run-start'))",
      );
    },
    async leave() {
      await pool.query("DELETE FROM nodes WHERE id = $1", [nodeId]);
    },
  };
}
