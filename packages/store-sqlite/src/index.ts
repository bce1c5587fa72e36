export type { SqliteCheckpointSaver } from "./checkpoint-saver.js";
export {
  createSqliteStore,
  defaultDatabasePath,
  type SqliteStore,
  type SqliteStoreOptions,
} from "./sqlite-store.js";
