import {
  type CheckpointSaverTestInitializer,
  deltaChannelHistoryTests,
  validate,
} from "@langchain/langgraph-checkpoint-validation";
import type { SqliteCheckpointSaver } from "./checkpoint-saver.js";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { sourceCheckpointer } from "./test-fixtures.js";

// Each checkpointer gets its own in-memory database, which is the isolation the suite requires.
const stores = new Map<SqliteCheckpointSaver, SqliteStore>();

const initializer: CheckpointSaverTestInitializer<SqliteCheckpointSaver> = {
  checkpointerName: "@agentrt/store-sqlite",
  createCheckpointer() {
    const store = createSqliteStore({ path: ":memory:", createCheckpointer: sourceCheckpointer });
    stores.set(store.checkpointer, store);
    return store.checkpointer;
  },
  async destroyCheckpointer(checkpointer) {
    await stores.get(checkpointer)?.close();
    stores.delete(checkpointer);
  },
};

// The whole default suite (put, putWrites, getTuple, list, deleteThread), plus the opt-in
// getDeltaChannelHistory scenarios that LangGraph's own savers also run.
validate(initializer);
deltaChannelHistoryTests(initializer);
