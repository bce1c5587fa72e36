import {
  type CheckpointSaverTestInitializer,
  deltaChannelHistoryTests,
  validate,
} from "@langchain/langgraph-checkpoint-validation";
import { describe } from "vitest";
import { freshSchema, postgresUrl, sourceCheckpointer } from "../test/postgres.js";
import type { PostgresCheckpointSaver } from "./checkpointer.js";
import { createPostgresStore, type PostgresStore } from "./postgres-store.js";

// Each checkpointer gets its own store on its own schema, the isolation the suite requires.
const stores = new Map<PostgresCheckpointSaver, PostgresStore>();

const initializer: CheckpointSaverTestInitializer<PostgresCheckpointSaver> = {
  checkpointerName: "@agentrt/store-postgres",
  async createCheckpointer() {
    const store = await createPostgresStore({
      url: postgresUrl,
      schema: freshSchema(),
      poolSize: 4,
      createCheckpointer: sourceCheckpointer,
    });
    stores.set(store.checkpointer, store);
    return store.checkpointer;
  },
  async destroyCheckpointer(checkpointer) {
    await stores.get(checkpointer)?.close();
    stores.delete(checkpointer);
  },
};

describe("LangGraph checkpoint validation", () => {
  // The whole default suite (put, putWrites, getTuple, list, deleteThread), plus the opt-in
  // getDeltaChannelHistory scenarios.
  validate(initializer);
  deltaChannelHistoryTests(initializer);
});
