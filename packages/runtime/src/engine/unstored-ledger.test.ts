import { describe, expect, it, vi } from "vitest";
import { createMemoryLogger } from "../../test/engine-fixtures.js";
import { createMemoryStore } from "../memory-store.js";
import type { UnstoredRunRecord } from "../store.js";
import { createUnstoredLedger } from "./unstored-ledger.js";

const SINCE = new Date(Date.now() - 60_000).toISOString();

function record(agentId: string, tokens: number, finishedAt = new Date().toISOString()): UnstoredRunRecord {
  return { agentId, agentRevision: 1, status: "succeeded", startedAt: finishedAt, finishedAt, tokens };
}

describe("unstored runs' ledger", () => {
  it("writes records in batches, counting them as pending until the store has them", async () => {
    const store = createMemoryStore();
    const recordUnstored = vi.spyOn(store.runs, "recordUnstored");
    const ledger = createUnstoredLedger(store.runs, createMemoryLogger(), {
      intervalMs: 60_000,
      batchSize: 3,
    });
    ledger.add(record("agt_a", 5));
    ledger.add(record("agt_b", 7));
    expect(recordUnstored).not.toHaveBeenCalled();
    expect(ledger.pendingTokens("agt_a", SINCE)).toBe(5);
    expect(await store.runs.tokensUsed("agt_a", SINCE)).toBe(0);
    // The third fills a batch: written at once, not after the interval.
    ledger.add(record("agt_a", 1));
    expect(ledger.pendingTokens("agt_a", SINCE)).toBe(6); // being written
    await ledger.flush();
    expect(recordUnstored).toHaveBeenCalledTimes(1);
    expect(recordUnstored.mock.calls[0]![0]).toHaveLength(3);
    expect(ledger.pendingTokens("agt_a", SINCE)).toBe(0);
    expect(await store.runs.tokensUsed("agt_a", SINCE)).toBe(6);
    // Records that finished before `since` are not the window's.
    ledger.add(record("agt_a", 100, new Date(Date.now() - 120_000).toISOString()));
    expect(ledger.pendingTokens("agt_a", SINCE)).toBe(0);
    await ledger.close();
    expect(await store.runs.tokensUsed("agt_a", new Date(0).toISOString())).toBe(106);
  });

  it("writes a record within the interval, with nothing else to fill its batch", async () => {
    const store = createMemoryStore();
    const ledger = createUnstoredLedger(store.runs, createMemoryLogger(), { intervalMs: 20 });
    ledger.add(record("agt_a", 9));
    await vi.waitFor(async () => expect(await store.runs.tokensUsed("agt_a", SINCE)).toBe(9));
    expect(ledger.pendingTokens("agt_a", SINCE)).toBe(0);
    await ledger.close();
  });

  it("keeps what the store refused for the next batch, counted meanwhile, up to its limit", async () => {
    const store = createMemoryStore();
    const logger = createMemoryLogger();
    let refuse = true;
    const runs = {
      recordUnstored: async (records: readonly UnstoredRunRecord[]) => {
        if (refuse) throw new Error("database is down");
        await store.runs.recordUnstored(records);
      },
    };
    const ledger = createUnstoredLedger(runs, logger, { intervalMs: 60_000, maxPending: 2 });
    ledger.add(record("agt_a", 1));
    ledger.add(record("agt_a", 2));
    ledger.add(record("agt_a", 4));
    await ledger.flush();
    // The oldest went beyond maxPending; the others wait, still counted.
    expect(ledger.pendingTokens("agt_a", SINCE)).toBe(6);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: "warn",
        data: { records: 3, dropped: 1, error: "Error: database is down" },
      }),
    ]);
    refuse = false;
    await ledger.close();
    expect(ledger.pendingTokens("agt_a", SINCE)).toBe(0);
    expect(await store.runs.tokensUsed("agt_a", SINCE)).toBe(6);
    // Closed: nothing ends after, and anything that does is not kept.
    ledger.add(record("agt_a", 50));
    expect(ledger.pendingTokens("agt_a", SINCE)).toBe(0);
  });
});
