export type { PostgresCheckpointSaver } from "./checkpointer.js";
export { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
