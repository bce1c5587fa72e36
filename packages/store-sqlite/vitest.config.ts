import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The official LangGraph checkpointer conformance suite (@langchain/langgraph-checkpoint-validation),
    // run from src/checkpoint-saver.conformance.test.ts, calls describe/it/expect as globals.
    globals: true,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      exclude: ["src/**/*.test.ts"],
      thresholds: { lines: 85 },
    },
  },
});
