/**
 * Store-level helpers for the retention and checkpoint benches: the runtime and SQLite store of the checkout under
 * test (BENCH_ROOT), a fresh store with one agent, and one run's writes as the engine issues them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as Runtime from "@agentrt/runtime";
import type { RunEventPayload } from "@agentrt/runtime";
import type * as StoreSqlite from "@agentrt/store-sqlite";
import { BENCH_ROOT } from "./host.ts";

export const runtime: typeof Runtime = await import(join(BENCH_ROOT, "packages/runtime/dist/index.js"));
const { createSqliteStore }: typeof StoreSqlite = await import(
  join(BENCH_ROOT, "packages/store-sqlite/dist/index.js")
);

export interface BenchStore {
  store: StoreSqlite.SqliteStore;
  agentId: string;
  dir: string;
  close(): Promise<void>;
}

/** A SQLite store in a throwaway directory, with one agent; `close` removes it. */
export async function openBenchStore(
  options: { walCheckpointIntervalMs?: number } = {},
): Promise<BenchStore> {
  const dir = mkdtempSync(join(tmpdir(), "agentrt-prune-"));
  const store = createSqliteStore({ dataDir: dir, ...options });
  const agent = await store.agents.create({
    id: runtime.createId("agt"),
    name: "echo",
    description: null,
    templateName: "echo",
    templateRange: "^1",
    templateVersion: "1.0.0",
    config: {},
  });
  return {
    store,
    agentId: agent.id,
    dir,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const now = () => new Date().toISOString();
const events = (payloads: unknown[]) => payloads as RunEventPayload[];

/**
 * One run's writes, as the engine's journal issues them (create, start, steps, finish): even `i` a
 * two-step task run, odd `i` a streamed run whose answer is one token delta (what compaction drops).
 */
export async function writeRun({ store, agentId }: BenchStore, i: number): Promise<void> {
  const id = runtime.createId("run");
  const run = {
    id,
    agentId,
    agentRevision: 1,
    threadId: null,
    scheduleId: null,
    input: { n: i },
    idempotencyKey: null,
    webhookUrl: null,
    timeoutMs: 30_000,
  };
  await store.runs.create(run, undefined, events([{ type: "run.queued" }]));
  await store.runs.appendEvents(id, events([{ type: "run.started" }]), {
    status: "running",
    startedAt: now(),
  });
  const output = i % 2 === 0 ? `hello ${i} again` : "hi there ".repeat(4);
  if (i % 2 === 0) {
    await store.runs.appendEvents(
      id,
      events([
        { type: "step.started", stepId: "a" },
        { type: "step.finished", stepId: "a", output: `hello ${i}` },
        { type: "step.started", stepId: "b" },
        { type: "step.finished", stepId: "b", output },
      ]),
    );
  }
  const last = i % 2 === 0 ? [] : [{ type: "output.delta", text: output }];
  await store.runs.appendEvents(
    id,
    events([...last, { type: "run.finished", status: "succeeded", output }]),
    {
      status: "succeeded",
      output,
      finishedAt: now(),
    },
  );
}
