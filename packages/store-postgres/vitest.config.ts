import { definePackageTests, postgresGlobalSetup } from "../../config/vitest.base.js";

export default definePackageTests({
  // The official LangGraph checkpointer conformance suite (@langchain/langgraph-checkpoint-validation)
  // calls describe/it/expect as globals.
  globals: true,
  // Every test needs a PostgreSQL server and many files share one: run the files one after another.
  fileParallelism: false,
  globalSetup: [postgresGlobalSetup],
});
