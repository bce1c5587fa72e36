import { AgentrtError, ErrorCode } from "@agentrt/core";
import type pg from "pg";
import { quoteIdent, transaction, withAdvisoryLock } from "./database.js";
import type { Migration } from "./migrations.js";

/**
 * Brings `schema` up to date. The whole pass holds an advisory lock named after the schema, so of
 * N nodes starting at once one applies the migrations and the others then find nothing to do; each
 * migration commits together with its `schema_migrations` row. Returns the versions applied.
 */
export async function runMigrations(
  pool: pg.Pool,
  schema: string,
  list: readonly Migration[],
): Promise<number[]> {
  return withAdvisoryLock(pool, `agentrt.migrate.${schema}`, async () => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await pool.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at text NOT NULL
      )`);
    const { rows } = await pool.query<{ version: number }>(
      "SELECT coalesce(max(version), 0)::int AS version FROM schema_migrations",
    );
    const current = rows[0]!.version;
    const latest = list.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new AgentrtError(
        ErrorCode.INTERNAL,
        `Database schema version ${current} is newer than this @agentrt/store-postgres supports (${latest}); upgrade the package`,
      );
    }
    const applied: number[] = [];
    for (const migration of list) {
      if (migration.version <= current) continue;
      await transaction(pool, async (client) => {
        try {
          await client.query(migration.sql);
        } catch (cause) {
          throw new AgentrtError(
            ErrorCode.INTERNAL,
            `Database migration ${migration.version} (${migration.name}) failed: ${(cause as Error).message}`,
            { cause, details: { version: migration.version, name: migration.name } },
          );
        }
        await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
      });
      applied.push(migration.version);
    }
    return applied;
  });
}
