import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunnableConfig } from "@langchain/core/runnables";
import { type Checkpoint, ERROR, emptyCheckpoint, uuid6 } from "@langchain/langgraph-checkpoint";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqliteCheckpointSaver } from "./checkpoint-saver.js";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { newAgent, sourceCheckpointer } from "./test-fixtures.js";

let store: SqliteStore;
let saver: SqliteCheckpointSaver;
beforeEach(() => {
  store = createSqliteStore({ path: ":memory:", createCheckpointer: sourceCheckpointer });
  saver = store.checkpointer;
});
afterEach(() => store.close());

const meta = (step: number, source: "input" | "loop" = "loop") => ({ source, step, parents: {} });

function checkpoint(values: Record<string, unknown> = {}): Checkpoint {
  const versions = Object.fromEntries(Object.keys(values).map((key) => [key, 1]));
  return { ...emptyCheckpoint(), id: uuid6(0), channel_values: values, channel_versions: versions };
}

async function putOne(threadId: string, values: Record<string, unknown> = { messages: ["hi"] }) {
  const cp = checkpoint(values);
  return saver.put({ configurable: { thread_id: threadId } }, cp, meta(0), cp.channel_versions);
}

describe("SqliteCheckpointSaver", () => {
  it("drops a thread's checkpoints when the agentrt thread is deleted", async () => {
    await store.threads.create({ id: "thr_1", agentId: null, metadata: {} });
    const config = await putOne("thr_1");
    await saver.putWrites(config, [["messages", ["more"]]], "task");
    await putOne("thr_2");
    await store.threads.delete("thr_1");
    expect(await saver.getTuple({ configurable: { thread_id: "thr_1" } })).toBeUndefined();
    expect(await saver.getTuple({ configurable: { thread_id: "thr_2" } })).toBeDefined();
  });

  it("drops the checkpoints of an agent's threads when the agent is deleted", async () => {
    const agent = await store.agents.create(newAgent());
    await store.threads.create({ id: "thr_a", agentId: agent.id, metadata: {} });
    await store.threads.create({ id: "thr_free", agentId: null, metadata: {} });
    await putOne("thr_a");
    await putOne("thr_free");
    await store.agents.delete(agent.id);
    expect(await saver.getTuple({ configurable: { thread_id: "thr_a" } })).toBeUndefined();
    expect(await saver.getTuple({ configurable: { thread_id: "thr_free" } })).toBeDefined();
  });

  it("keeps the first value of a regular write but the last of a special one", async () => {
    const config = await putOne("t");
    await saver.putWrites(config, [["messages", "first"]], "task");
    await saver.putWrites(config, [["messages", "retried"]], "task");
    await saver.putWrites(config, [[ERROR, "boom 1"]], "task");
    await saver.putWrites(config, [[ERROR, "boom 2"]], "task");
    expect((await saver.getTuple(config))?.pendingWrites).toEqual([
      ["task", ERROR, "boom 2"],
      ["task", "messages", "first"],
    ]);
  });

  it("returns pending writes in (task path, task id, idx) order", async () => {
    const config = await putOne("t");
    await saver.putWrites(
      config,
      [
        ["c", 1],
        ["c", 2],
      ],
      "task-z",
      "~1",
    );
    await saver.putWrites(config, [["c", 3]], "task-a", "~2");
    await saver.putWrites(config, [["c", 0]], "task-input");
    expect((await saver.getTuple(config))?.pendingWrites).toEqual([
      ["task-input", "c", 0],
      ["task-z", "c", 1],
      ["task-z", "c", 2],
      ["task-a", "c", 3],
    ]);
  });

  it("round-trips a channel given a version but no value as absent", async () => {
    const cp = checkpoint({ kept: 1 });
    const config = await saver.put({ configurable: { thread_id: "t" } }, cp, meta(0), {
      kept: 1,
      cleared: 1,
    });
    const tuple = await saver.getTuple(config);
    expect(tuple?.checkpoint.channel_values).toEqual({ kept: 1 });
  });

  it("applies metadata filters before the limit and honours checkpoint_id in list", async () => {
    const configs: RunnableConfig[] = [];
    for (let step = 0; step < 5; step++) {
      const cp = checkpoint();
      configs.push(
        await saver.put(
          { configurable: { thread_id: "t" } },
          cp,
          meta(step, step % 2 === 0 ? "input" : "loop"),
          {},
        ),
      );
    }
    const inputs = [];
    for await (const tuple of saver.list(
      { configurable: { thread_id: "t" } },
      { filter: { source: "input" }, limit: 2 },
    )) {
      inputs.push(tuple.metadata?.step);
    }
    expect(inputs).toEqual([4, 2]);
    const one = [];
    for await (const tuple of saver.list({ configurable: configs[1]!.configurable }))
      one.push(tuple.checkpoint.id);
    expect(one).toEqual([configs[1]!.configurable?.checkpoint_id]);
    const none = [];
    for await (const tuple of saver.list({ configurable: { thread_id: "t" } }, { limit: 0 }))
      none.push(tuple);
    expect(none).toEqual([]);
  });

  it("rejects puts and writes without the ids they need", async () => {
    await expect(saver.put({ configurable: {} }, checkpoint(), meta(0), {})).rejects.toThrow(/thread_id/);
    await expect(saver.putWrites({ configurable: { thread_id: "t" } }, [["c", 1]], "task")).rejects.toThrow(
      /checkpoint_id/,
    );
  });
});

describe("SqliteCheckpointSaver on a file", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "agentrt-checkpoints-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps checkpoints and writes across close and reopen", async () => {
    const path = join(dir, "agentrt.db");
    const first = createSqliteStore({ path, createCheckpointer: sourceCheckpointer });
    const cp = checkpoint({ messages: ["hello"] });
    const config = await first.checkpointer.put({ configurable: { thread_id: "t" } }, cp, meta(0), {
      messages: 1,
    });
    await first.checkpointer.putWrites(config, [["messages", ["world"]]], "task");
    const before = await first.checkpointer.getTuple(config);
    await first.close();

    const second = createSqliteStore({ path, createCheckpointer: sourceCheckpointer });
    const after = await second.checkpointer.getTuple({ configurable: { thread_id: "t" } });
    expect(after).toEqual(before);
    expect(after?.checkpoint.channel_values).toEqual({ messages: ["hello"] });
    expect(after?.pendingWrites).toEqual([["task", "messages", ["world"]]]);
    await second.close();
  });
});
