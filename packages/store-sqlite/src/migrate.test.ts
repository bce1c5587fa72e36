import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCode } from "@agentrt/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "./database.js";
import { runMigrations } from "./migrate.js";
import { type Migration, migrations } from "./migrations.js";
import { createSqliteStore } from "./sqlite-store.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "agentrt-migrate-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const extra: Migration = { version: 100, name: "extra", sql: "CREATE TABLE extra (id TEXT PRIMARY KEY)" };

function versions(path: string): { version: number; name: string }[] {
  const db = openDatabase(path, 1000);
  const rows = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
  db.close();
  return rows.map((row) => ({ version: row.version as number, name: row.name as string }));
}

describe("migrations", () => {
  it("are numbered in increasing order", () => {
    const numbers = migrations.map((migration) => migration.version);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});

describe("runMigrations", () => {
  it("applies every migration once and records it; re-running applies nothing", () => {
    const path = join(dir, "db.sqlite");
    const db = openDatabase(path, 1000);
    expect(runMigrations(db, migrations)).toEqual(migrations.map((migration) => migration.version));
    expect(runMigrations(db, migrations)).toEqual([]);
    db.close();
    expect(versions(path)).toEqual(migrations.map(({ version, name }) => ({ version, name })));
  });

  it("runs only the new migrations when a store reopens a file", async () => {
    const path = join(dir, "db.sqlite");
    await createSqliteStore({ path }).close();
    await createSqliteStore({ path }).close();
    const db = openDatabase(path, 1000);
    expect(runMigrations(db, [...migrations, extra])).toEqual([100]);
    db.close();
    expect(versions(path).map((row) => row.version)).toEqual([...migrations.map((m) => m.version), 100]);
  });

  it("rolls a failing migration back completely and names it", () => {
    const db = openDatabase(":memory:", 1000);
    const broken: Migration = {
      version: 101,
      name: "broken",
      sql: "CREATE TABLE half (id TEXT); CREATE TABLE half (id TEXT);",
    };
    expect(() => runMigrations(db, [...migrations, broken])).toThrow(
      expect.objectContaining({ code: ErrorCode.INTERNAL, message: expect.stringMatching(/101 \(broken\)/) }),
    );
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect(db.prepare("SELECT max(version) AS v FROM schema_migrations").get()).toEqual({
      v: migrations.at(-1)!.version,
    });
    db.close();
  });

  it("refuses a database written by a newer schema", async () => {
    const path = join(dir, "db.sqlite");
    const db = openDatabase(path, 1000);
    runMigrations(db, [...migrations, extra]);
    db.close();
    expect(() => createSqliteStore({ path })).toThrow(
      expect.objectContaining({ code: ErrorCode.INTERNAL, message: expect.stringMatching(/newer/) }),
    );
  });
});
