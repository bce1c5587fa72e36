import { definePackageTests } from "../../config/vitest.base.js";

export default definePackageTests({
  // The official LangGraph checkpointer conformance suite (@langchain/langgraph-checkpoint-validation),
  // run from src/checkpoint-saver.conformance.test.ts, calls describe/it/expect as globals.
  globals: true,
});
