import { definePackageTests } from "../../config/vitest.base.js";

export default definePackageTests({
  // The official LangGraph checkpointer conformance suite (@langchain/langgraph-checkpoint-validation),
  // run from src/checkpoint-saver.conformance.test.ts, calls describe/it/expect as globals.
  globals: true,
  // The files share no module state (each opens its own database), so they reuse one module graph:
  // importing it afresh per file was most of the suite's time (about 60 s down to 15 s on 2 cores).
  isolate: false,
});
