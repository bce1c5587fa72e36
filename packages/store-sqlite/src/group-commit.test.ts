import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "./database.js";
import { createGroupCommit, type GroupCommit } from "./group-commit.js";

let dir: string;
let db: DatabaseSync;
let group: GroupCommit;
const rows = (from: DatabaseSync = db) =>
  (from.prepare("SELECT v FROM t ORDER BY v").all() as { v: number }[]).map((r) => r.v);
const insert = (v: number) => () => db.prepare("INSERT INTO t (v) VALUES (?)").run(v).changes;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "agentrt-group-"));
  db = openDatabase(join(dir, "db.sqlite"), 0);
  db.exec("CREATE TABLE t (v INTEGER PRIMARY KEY)");
  group = createGroupCommit(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("group commit", () => {
  it("runs the writes of one turn in one transaction and settles them after its commit", async () => {
    const seen: string[] = [];
    const first = group.write(() => {
      seen.push(`first in transaction: ${db.isTransaction}`);
      return 1;
    });
    void first.then(() => seen.push("first settled"));
    const second = group.write(() => {
      seen.push(`second in transaction: ${db.isTransaction}`);
      return 2;
    });
    expect(seen).toEqual([]); // nothing runs before the turn ends
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(seen).toEqual(["first in transaction: true", "second in transaction: true", "first settled"]);
    expect(db.isTransaction).toBe(false);
  });

  it("rolls back only the write that failed", async () => {
    const results = await Promise.allSettled([
      group.write(insert(1)),
      group.write(() => {
        insert(2)();
        insert(1)(); // primary key violation: 2 goes too
      }),
      group.write(insert(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(rows()).toEqual([1, 3]);
  });

  it("fails the whole group when an error ends the transaction (as disk full or I/O errors do)", async () => {
    const results = await Promise.allSettled([
      group.write(insert(1)),
      group.write(() => {
        db.exec("ROLLBACK"); // what SQLite does itself on such errors
        throw new Error("disk I/O error");
      }),
      group.write(insert(2)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(rows()).toEqual([]);
    await group.write(insert(3));
    expect(rows()).toEqual([3]);
  });

  it("lets a read issued after a pending write see it, and reads at once when nothing waits", async () => {
    void group.write(insert(7));
    expect(await group.read(() => rows())).toEqual([7]);
    let ranAt: "now" | "later" = "later";
    const read = group.read(() => {
      ranAt = "now";
      return rows();
    });
    expect(ranAt).toBe("now");
    expect(await read).toEqual([7]);
    await expect(
      group.read(() => {
        throw new Error("bad read");
      }),
    ).rejects.toThrow("bad read");
  });

  it("rejects the whole group when the write lock can't be taken, storing nothing", async () => {
    const other = openDatabase(join(dir, "db.sqlite"), 0);
    other.exec("BEGIN IMMEDIATE");
    const results = await Promise.allSettled([group.write(insert(1)), group.write(insert(2))]);
    other.exec("ROLLBACK");
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(rows(other)).toEqual([]);
    other.close();
    // The next group works again.
    await group.write(insert(3));
    expect(rows()).toEqual([3]);
  });

  it("rejects writes that reach a closed database instead of throwing from the flush", async () => {
    const late = group.write(insert(5));
    db.close();
    await expect(late).rejects.toThrow(/closed/);
    db = openDatabase(join(dir, "db.sqlite"), 0); // for afterEach
  });

  it("commits what waits when flushed (before the database closes)", () => {
    void group.write(insert(4));
    group.flush();
    expect(rows()).toEqual([4]);
    group.flush(); // nothing waiting: a no-op
  });
});
