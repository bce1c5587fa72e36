import type { DatabaseSync, SQLInputValue } from "node:sqlite";

const CHECKPOINT_TABLES = ["checkpoints", "checkpoint_blobs", "checkpoint_writes"] as const;

/**
 * Prepares the deletes that drop LangGraph state for the threads matched by `threadCondition`
 * (an SQL condition on `thread_id`). Shared by the checkpointer, thread deletion and agent
 * deletion, because checkpoint rows carry no foreign key to cascade through. Call it inside the
 * caller's transaction.
 */
export function prepareCheckpointDeletes(
  db: DatabaseSync,
  threadCondition: string,
): (...params: SQLInputValue[]) => void {
  const statements = CHECKPOINT_TABLES.map((table) =>
    db.prepare(`DELETE FROM ${table} WHERE ${threadCondition}`),
  );
  return (...params) => {
    for (const statement of statements) statement.run(...params);
  };
}
