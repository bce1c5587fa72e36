import type pg from "pg";

const CHECKPOINT_TABLES = ["checkpoints", "checkpoint_blobs", "checkpoint_writes"] as const;

/**
 * Drops LangGraph state of the threads matched by `threadCondition` (an SQL condition on
 * `thread_id`), inside the caller's transaction. Checkpoint rows carry no foreign key to cascade
 * through, and their tables exist only once some node has used the checkpointer.
 */
export async function deleteCheckpoints(
  client: pg.PoolClient,
  threadCondition: string,
  params: unknown[],
): Promise<void> {
  const { rows } = await client.query<{ present: boolean }>(
    "SELECT to_regclass('checkpoints') IS NOT NULL AS present",
  );
  if (!rows[0]?.present) return;
  for (const table of CHECKPOINT_TABLES) {
    await client.query(`DELETE FROM ${table} WHERE ${threadCondition}`, params);
  }
}
