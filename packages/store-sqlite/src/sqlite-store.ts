import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { Store } from "@agentrt/runtime";
import { createAgentStore } from "./agent-store.js";
import { createApiKeyStore } from "./api-key-store.js";
import type { SqliteCheckpointSaver } from "./checkpoint-saver.js";
import { ensureIncrementalVacuum, openDatabase } from "./database.js";
import { type DatabaseLock, lockDatabase } from "./database-lock.js";
import { createGroupCommit } from "./group-commit.js";
import { runMigrations } from "./migrate.js";
import { migrations } from "./migrations.js";
import { createRetentionStore } from "./retention-store.js";
import { createRunStore } from "./run-store.js";
import { createScheduleStore } from "./schedule-store.js";
import { createThreadStore } from "./thread-store.js";
import { FALLBACK_AUTOCHECKPOINT_PAGES, startWalCheckpointer } from "./wal-checkpointer.js";

export interface SqliteStoreOptions {
  /** Database file, or `":memory:"` for a private in-memory database (tests). Wins over `dataDir`. */
  path?: string | undefined;
  /** Directory for `agentrt.db` when `path` is not given; created if missing. Default `./.agentrt`. */
  dataDir?: string | undefined;
  /** How long a statement waits for another process's write lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number | undefined;
  /**
   * How often a worker thread copies the WAL into the database file (ms). `0`: SQLite's own
   * auto-checkpoint, on the write path. Default 1000. Ignored for `":memory:"`.
   */
  walCheckpointIntervalMs?: number | undefined;
  /**
   * Refuse to open a file another process holds open with `exclusive` (see `lockDatabase`), and hold
   * it so from now on. The server sets this: two servers on one file would each recover the other's
   * live runs. Default false (tools and tests may share a file).
   */
  exclusive?: boolean | undefined;
  /** Builds the checkpointer on first use; tests pass the class from source. Default: the package's own. */
  createCheckpointer?: ((db: DatabaseSync) => SqliteCheckpointSaver) | undefined;
}

/**
 * LangGraph's checkpoint library costs a few hundred milliseconds and tens of MB to load, so the
 * checkpointer module is required only when a template first asks for it, not at server start-up.
 */
function loadCheckpointer(db: DatabaseSync): SqliteCheckpointSaver {
  const { SqliteCheckpointSaver: Saver } = createRequire(import.meta.url)(
    "@agentrt/store-sqlite/checkpointer",
  ) as {
    SqliteCheckpointSaver: new (db: DatabaseSync) => SqliteCheckpointSaver;
  };
  return new Saver(db);
}

export interface SqliteStore extends Store {
  readonly kind: "sqlite";
  /** Absolute path of the database file, or `":memory:"`. */
  readonly path: string;
  /** LangGraph checkpointer on the same database (loaded on first access); closed with the store. */
  readonly checkpointer: SqliteCheckpointSaver;
}

const MEMORY_PATH = ":memory:";
const DEFAULT_DATA_DIR = "./.agentrt";
const DATABASE_FILE = "agentrt.db";

/** Where the store keeps its file: `<dataDir>/agentrt.db`, by default `./.agentrt/agentrt.db`. */
export function defaultDatabasePath(dataDir: string = DEFAULT_DATA_DIR): string {
  return join(dataDir, DATABASE_FILE);
}

/**
 * Opens (creating if needed) the agentrt database and brings its schema up to date. Every method of
 * the returned store is atomic; several processes may open the same file (WAL + busy timeout).
 */
export function createSqliteStore(options: SqliteStoreOptions = {}): SqliteStore {
  const path =
    options.path === MEMORY_PATH
      ? MEMORY_PATH
      : resolve(options.path ?? defaultDatabasePath(options.dataDir));
  if (path !== MEMORY_PATH) mkdirSync(dirname(path), { recursive: true });
  const lock: DatabaseLock | undefined =
    options.exclusive && path !== MEMORY_PATH ? lockDatabase(path) : undefined;
  let db: DatabaseSync;
  try {
    db = openDatabase(path, options.busyTimeoutMs ?? 5000);
  } catch (error) {
    lock?.release();
    throw error;
  }
  try {
    runMigrations(db, migrations);
    ensureIncrementalVacuum(db);
  } catch (error) {
    db.close();
    lock?.release();
    throw error;
  }
  const walInterval = options.walCheckpointIntervalMs ?? 1000;
  const walCheckpointer =
    path !== MEMORY_PATH && walInterval > 0 ? startWalCheckpointer(path, walInterval) : undefined;
  if (walCheckpointer) db.exec(`PRAGMA wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const ping = db.prepare("SELECT 1");
  const createCheckpointer = options.createCheckpointer ?? loadCheckpointer;
  let checkpointer: SqliteCheckpointSaver | undefined;
  const group = createGroupCommit(db);
  return {
    kind: "sqlite",
    path,
    agents: createAgentStore(db),
    apiKeys: createApiKeyStore(db),
    runs: createRunStore(db, group),
    schedules: createScheduleStore(db),
    threads: createThreadStore(db),
    retention: createRetentionStore(db, group),
    get checkpointer() {
      checkpointer ??= createCheckpointer(db);
      return checkpointer;
    },
    async ping() {
      ping.get();
    },
    async close() {
      if (!db.isOpen) return;
      group.flush();
      // The worker goes first: the last connection to close checkpoints and removes the WAL.
      await walCheckpointer?.close();
      if (!db.isOpen) return;
      group.flush();
      db.close();
      lock?.release();
    },
  };
}
