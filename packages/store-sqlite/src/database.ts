import { DatabaseSync, type StatementSync } from "node:sqlite";

/**
 * Opens the database with the settings every agentrt process must agree on: WAL so readers never
 * block the writer, a busy timeout so a second process waits instead of failing, foreign keys for
 * cascades, and `synchronous=NORMAL` (durable across process crashes; WAL keeps it consistent).
 */
export function openDatabase(path: string, busyTimeoutMs: number): DatabaseSync {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: busyTimeoutMs });
  db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    PRAGMA foreign_keys = ON;
    PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))};
  `);
  return db;
}

/**
 * Runs `fn` in a write transaction. `BEGIN IMMEDIATE` takes the write lock up front, so two
 * processes never both read and then fail to upgrade (SQLITE_BUSY mid-transaction). Called inside
 * another transaction it simply joins it.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  if (db.isTransaction) return fn();
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    // Some errors (e.g. SQLITE_FULL) already ended the transaction; don't mask them with a failed ROLLBACK.
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** Prepares each distinct SQL text once; used for queries whose shape depends on the filters given. */
export function createStatementCache(db: DatabaseSync): (sql: string) => StatementSync {
  const statements = new Map<string, StatementSync>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}
