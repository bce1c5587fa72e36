import { DatabaseSync, type StatementSync } from "node:sqlite";

/**
 * Opens the database with the settings every agentrt process must agree on: WAL so readers never
 * block the writer, a busy timeout so a second process waits instead of failing, foreign keys for
 * cascades, and `synchronous=NORMAL` (durable across process crashes; WAL keeps it consistent).
 */
export function openDatabase(path: string, busyTimeoutMs: number): DatabaseSync {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: busyTimeoutMs });
  // Only takes effect before the first table exists; older files are converted by `ensureIncrementalVacuum`.
  db.exec("PRAGMA auto_vacuum = INCREMENTAL");
  db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    PRAGMA foreign_keys = ON;
    PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))};
  `);
  return db;
}

/**
 * Retention gives freed pages back with `incremental_vacuum`, which needs `auto_vacuum=INCREMENTAL`.
 * New databases get it when opened; a database created before that needs one full VACUUM to switch,
 * done here at start-up (before requests are served), once. Returns whether it converted.
 */
export function ensureIncrementalVacuum(db: DatabaseSync): boolean {
  const mode = Number(Object.values(db.prepare("PRAGMA auto_vacuum").get() ?? {})[0]);
  if (mode === 2) return false;
  db.exec("PRAGMA auto_vacuum = INCREMENTAL");
  db.exec("VACUUM");
  return true;
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
