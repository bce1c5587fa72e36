import type { DatabaseSync } from "node:sqlite";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import { transaction } from "./database.js";
import type { Migration } from "./migrations.js";

/**
 * Brings the schema up to date: each migration newer than the recorded version runs in its own
 * transaction together with its `schema_migrations` row, so a crash leaves either all of it or
 * none. The version is re-read inside the write lock, so two processes opening the same file at
 * once never apply a migration twice. Returns the versions applied by this call.
 */
export function runMigrations(db: DatabaseSync, list: readonly Migration[]): number[] {
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT
  `);
  const currentVersion = db.prepare("SELECT coalesce(max(version), 0) AS version FROM schema_migrations");
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  const latest = list.at(-1)?.version ?? 0;
  const applied: number[] = [];
  for (const migration of list) {
    transaction(db, () => {
      const version = (currentVersion.get() as { version: number }).version;
      if (version > latest) {
        throw new AgentrtError(
          ErrorCode.INTERNAL,
          `Database schema version ${version} is newer than this @agentrt/store-sqlite supports (${latest}); upgrade the package`,
        );
      }
      if (migration.version <= version) return;
      try {
        db.exec(migration.sql);
      } catch (cause) {
        throw new AgentrtError(
          ErrorCode.INTERNAL,
          `Database migration ${migration.version} (${migration.name}) failed: ${(cause as Error).message}`,
          { cause, details: { version: migration.version, name: migration.name } },
        );
      }
      record.run(migration.version, migration.name, new Date().toISOString());
      applied.push(migration.version);
    });
  }
  return applied;
}
