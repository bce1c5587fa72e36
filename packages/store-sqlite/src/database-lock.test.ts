import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lockDatabase } from "./database-lock.js";
import { createSqliteStore } from "./sqlite-store.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "agentrt-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("lockDatabase", () => {
  it("refuses a second holder, naming the first one's pid, until the first releases", () => {
    const path = join(dir, "agentrt.db");
    const first = lockDatabase(path);
    expect(() => lockDatabase(path)).toThrow(`in use by another agentrt process (pid ${process.pid})`);
    first.release();
    first.release();
    lockDatabase(path).release();
  });

  it("says so when the holder's pid file is unreadable", () => {
    const path = join(dir, "agentrt.db");
    const first = lockDatabase(path);
    writeFileSync(`${path}.pid`, "garbage");
    expect(() => lockDatabase(path)).toThrow("(pid unknown)");
    rmSync(`${path}.pid`);
    expect(() => lockDatabase(path)).toThrow("(pid unknown)");
    first.release();
  });

  it("is held by an exclusive store until it closes, and leaves the database unopened when refused", async () => {
    const path = join(dir, "agentrt.db");
    const store = createSqliteStore({ path, exclusive: true });
    expect(() => createSqliteStore({ path, exclusive: true })).toThrow(/in use/);
    // A non-exclusive opener (a tool) is not refused.
    await createSqliteStore({ path }).close();
    await store.close();
    await createSqliteStore({ path, exclusive: true }).close();
  });
});
