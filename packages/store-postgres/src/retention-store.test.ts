import { createId } from "@agentrt/runtime";
import { newAgent, newRun } from "@agentrt/runtime/testing";
import { afterEach, describe, expect, it } from "vitest";
import { freshSchema, postgresUrl } from "../test/postgres.js";
import { runMigrations } from "./migrate.js";
import { migrations } from "./migrations.js";
import { createPostgresStore, type PostgresStore } from "./postgres-store.js";

const opened: PostgresStore[] = [];
async function open(schema = freshSchema()): Promise<PostgresStore> {
  const store = await createPostgresStore({ url: postgresUrl, schema, poolSize: 3 });
  opened.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

describe("postgres retention and limits", () => {
  it("reports the schema's tables' size and the oldest run; reclaiming is left to autovacuum", async () => {
    const store = await open();
    const empty = await store.retention.stats();
    expect(empty.oldestRunAt).toBeNull();
    expect(empty.freeBytes).toBeNull();
    const agent = await store.agents.create(newAgent(`a-${createId("agt")}`));
    const { run } = await store.runs.create(newRun(agent.id));
    await store.runs.appendEvents(run.id, [{ type: "output.delta", text: "x".repeat(10_000) }]);
    const stats = await store.retention.stats();
    expect(stats.oldestRunAt).toBe(run.createdAt);
    // Only this schema's tables count: a second schema's rows do not change it.
    expect(stats.sizeBytes).toBeGreaterThan(0);
    const other = await open();
    await other.agents.create(newAgent("other"));
    expect((await store.retention.stats()).sizeBytes).toBe(stats.sizeBytes);
    expect(await store.retention.reclaimSpace(1_000_000)).toBe(0);
  });

  it("upgrades a version-2 schema, giving existing rows the defaults of the new columns", async () => {
    const schema = freshSchema();
    const first = await open(schema);
    // Back to version 2, as a database written by the previous release.
    await first.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    await runMigrations(first.pool, schema, migrations.slice(0, 2));
    const now = new Date().toISOString();
    await first.pool.query(
      `INSERT INTO agents VALUES ('agt_old', 'old', NULL, 'task', '^1', '1.0.0', '{}', 1, 'active', $1, $1)`,
      [now],
    );
    await first.pool.query(
      `INSERT INTO schedules (id, agent_id, cron, timezone, enabled, created_at)
       VALUES ('sch_old', 'agt_old', '* * * * *', 'UTC', true, $1)`,
      [now],
    );
    await first.pool.query(
      `INSERT INTO api_keys (id, name, prefix, hash, scopes, created_at)
       VALUES ('key_old', 'k', 'p', 'h', '["read"]', $1)`,
      [now],
    );
    const store = await open(schema);
    expect(await store.agents.get("agt_old")).toMatchObject({
      retention: null,
      limits: { maxConcurrentRuns: null, maxRunsPerMinute: null, maxTokensPerDay: null },
    });
    expect(await store.schedules.get("sch_old")).toMatchObject({ overlap: "skip" });
    expect(await store.apiKeys.get("key_old")).toMatchObject({ rateLimits: {} });
    expect(await store.apiKeys.update("key_old", { rateLimits: { invoke: 5 } })).toMatchObject({
      name: "k",
      scopes: ["read"],
      rateLimits: { invoke: 5 },
    });
    expect(await store.apiKeys.update("key_missing", { name: "x" })).toBeUndefined();
  });
});
