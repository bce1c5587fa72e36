import type pg from "pg";
import { PostgresCheckpointSaver } from "../src/checkpointer.js";

export { freshSchema, postgresUrl } from "../src/testing.js";

/** The checkpointer from source (the store loads the built one by default), so coverage sees it. */
export function sourceCheckpointer(pool: pg.Pool, schema: string): PostgresCheckpointSaver {
  return new PostgresCheckpointSaver(pool, schema);
}
