import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore } from "./sqlite-store.js";
import { newAgent } from "./test-fixtures.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "agentrt-wal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes well under SQLite's own auto-checkpoint threshold (1000 pages), so only a worker copies them. */
async function writeSome(store: ReturnType<typeof createSqliteStore>) {
  for (let i = 0; i < 40; i++) await store.agents.create(newAgent({ config: { notes: "x".repeat(2000) } }));
}

describe("WAL checkpoints off the write path", () => {
  it("copies the WAL into the database file from a worker, keeping auto-checkpoint only as a safety net", async () => {
    const path = join(dir, "agentrt.db");
    const store = createSqliteStore({ path, walCheckpointIntervalMs: 20 });
    const before = statSync(path).size;
    await writeSome(store);
    await expect.poll(() => statSync(path).size, { timeout: 20_000 }).toBeGreaterThan(before + 50_000);
    await store.close();
    // The last connection to close checkpoints and removes the WAL.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const probe = new DatabaseSync(path);
    expect((probe.prepare("SELECT count(*) AS n FROM agents").get() as { n: number }).n).toBe(40);
    probe.close();
  });

  it("leaves checkpoints to SQLite on the write path when the interval is 0", async () => {
    const path = join(dir, "agentrt.db");
    const store = createSqliteStore({ path, walCheckpointIntervalMs: 0 });
    const before = statSync(path).size;
    await writeSome(store);
    // Nothing copies the WAL before the threshold: the file keeps its size.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(statSync(path).size).toBe(before);
    await store.close();
  });
});
