import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotation, Command, END, INTERRUPT, interrupt, START, StateGraph } from "@langchain/langgraph";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore, type SqliteCheckpointSaver } from "../src/index.js";
import { sourceCheckpointer } from "../src/test-fixtures.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "agentrt-langgraph-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const State = Annotation.Root({
  log: Annotation<string[]>({ reducer: (left, right) => [...left, ...right], default: () => [] }),
  turns: Annotation<number>({ reducer: (left, right) => left + right, default: () => 0 }),
});

/** Interrupts come back under a key the state type does not declare. */
function interruptsOf(result: object): unknown {
  return (result as Record<string, unknown>)[INTERRUPT];
}

/** A two-node graph whose second node asks a human before it finishes. */
function compile(checkpointer: SqliteCheckpointSaver) {
  return new StateGraph(State)
    .addNode("say", (state) => ({ log: [`turn ${state.turns + 1}`], turns: 1 }))
    .addNode("approve", () => {
      const answer = interrupt<string, string>("approve?");
      return { log: [`approved: ${answer}`] };
    })
    .addEdge(START, "say")
    .addEdge("say", "approve")
    .addEdge("approve", END)
    .compile({ checkpointer });
}

describe("a LangGraph graph on the SQLite checkpointer", () => {
  it("keeps thread state across interrupts, resumes and store restarts", async () => {
    const path = join(dir, "agentrt.db");
    const config = { configurable: { thread_id: "thr_1" } };

    const first = createSqliteStore({ path, createCheckpointer: sourceCheckpointer });
    const interrupted = await compile(first.checkpointer).invoke({ log: ["hello"] }, config);
    expect(interruptsOf(interrupted)).toEqual([expect.objectContaining({ value: "approve?" })]);
    await first.close();

    // A new process picks the paused thread up from the file.
    const second = createSqliteStore({ path, createCheckpointer: sourceCheckpointer });
    const graph = compile(second.checkpointer);
    expect((await graph.getState(config)).next).toEqual(["approve"]);
    const done = await graph.invoke(new Command({ resume: "yes" }), config);
    expect(done).toEqual({ log: ["hello", "turn 1", "approved: yes"], turns: 1 });

    const again = await graph.invoke({ log: ["more"] }, config);
    expect(interruptsOf(again)).toBeDefined();
    expect((await graph.invoke(new Command({ resume: "ok" }), config)).log).toEqual([
      "hello",
      "turn 1",
      "approved: yes",
      "more",
      "turn 2",
      "approved: ok",
    ]);

    const history = [];
    for await (const snapshot of graph.getStateHistory(config)) history.push(snapshot);
    expect(history.length).toBeGreaterThan(4);
    // Time travel: the state as of an earlier checkpoint is still readable.
    const oldest = history.at(-1)!;
    expect((await graph.getState(oldest.config)).values).toEqual(oldest.values);

    await second.threads.create({ id: "thr_1", agentId: null, metadata: {} });
    await second.threads.delete("thr_1");
    expect((await graph.getState(config)).values).toEqual({});
    await second.close();
  });

  it("keeps threads apart", async () => {
    const store = createSqliteStore({ path: ":memory:", createCheckpointer: sourceCheckpointer });
    const graph = compile(store.checkpointer);
    await graph.invoke({ log: ["a"] }, { configurable: { thread_id: "a" } });
    await graph.invoke({ log: ["b"] }, { configurable: { thread_id: "b" } });
    expect((await graph.getState({ configurable: { thread_id: "a" } })).values.log).toEqual(["a", "turn 1"]);
    expect((await graph.getState({ configurable: { thread_id: "b" } })).values.log).toEqual(["b", "turn 1"]);
    await store.close();
  });
});
