import pg from "pg";

/** Something that runs a query: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

/** A pool whose connections all resolve unqualified table names in `schema`. */
export function createPool(url: string, schema: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    options: `-c search_path=${quoteIdent(schema)}`,
    application_name: "agentrt",
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool
  // drops it and the next query opens a new one.
  pool.on("error", () => {});
  return pool;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Runs `fn` in a transaction on one client: committed when it resolves, rolled back when it throws. */
/** `begin` opens the transaction; it may carry more statements, to save a round trip. */
export async function transaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  begin = "BEGIN",
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Runs `fn` while this process holds the session advisory lock `key` (waiting for it), on a
 * dedicated client. Nodes starting at once take turns: migrations are applied exactly once.
 */
export async function withAdvisoryLock<T>(pool: pg.Pool, key: string, fn: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [key]);
    try {
      return await fn();
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [key]);
    }
  } finally {
    client.release();
  }
}

/** PostgreSQL SQLSTATEs the store turns into agentrt errors. */
export const UNIQUE_VIOLATION = "23505";
export const FOREIGN_KEY_VIOLATION = "23503";

export function sqlState(error: unknown): string | undefined {
  return (error as { code?: unknown } | null)?.code as string | undefined;
}
