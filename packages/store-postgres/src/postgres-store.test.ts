import { createId, type NewAgent, type NewRun } from "@agentrt/runtime";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { freshSchema, postgresUrl } from "../test/postgres.js";
import { runMigrations } from "./migrate.js";
import { migrations } from "./migrations.js";
import { createPostgresStore, type PostgresStore } from "./postgres-store.js";

const opened: PostgresStore[] = [];
async function open(schema: string, url = postgresUrl): Promise<PostgresStore> {
  const store = await createPostgresStore({ url, schema, poolSize: 3 });
  opened.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

function newAgent(): NewAgent {
  const id = createId("agt");
  return {
    id,
    name: `agent-${id}`,
    description: null,
    templateName: "task",
    templateRange: "^1",
    templateVersion: "1.0.0",
    config: {},
  };
}

function newRun(agentId: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    id: createId("run"),
    agentId,
    agentRevision: 1,
    threadId: null,
    scheduleId: null,
    input: { q: 1 },
    idempotencyKey: null,
    webhookUrl: null,
    timeoutMs: 1000,
    ...overrides,
  };
}

describe("postgres store", () => {
  it("migrates once when several nodes open a fresh schema at the same moment", async () => {
    const schema = freshSchema();
    const stores = await Promise.all([open(schema), open(schema), open(schema), open(schema)]);
    const { rows } = await stores[0]!.pool.query("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    // A later start finds nothing to do.
    expect(await runMigrations(stores[0]!.pool, schema, migrations)).toEqual([]);
    await stores[1]!.ping();
  });

  it("refuses a schema newer than it knows", async () => {
    const schema = freshSchema();
    const store = await open(schema);
    await expect(runMigrations(store.pool, schema, [{ version: 0, name: "old", sql: "" }])).rejects.toThrow(
      /newer than this @agentrt\/store-postgres supports/,
    );
  });

  it("reports a failing migration by name and leaves none of it behind", async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const broken = [...migrations, { version: 99, name: "broken", sql: "CREATE TABLE x (y int); SELEC 1" }];
    await expect(runMigrations(store.pool, schema, broken)).rejects.toThrow(/migration 99 \(broken\) failed/);
    const { rows } = await store.pool.query("SELECT to_regclass('x') AS x");
    expect(rows[0].x).toBeNull();
  });

  it("takes the schema from the URL's schema parameter", async () => {
    const schema = freshSchema();
    const url = new URL(postgresUrl);
    url.searchParams.set("schema", schema);
    const store = await createPostgresStore({ url: url.toString() });
    opened.push(store);
    expect(store.schema).toBe(schema);
    const { rows } = await store.pool.query("SELECT current_schema() AS s");
    expect(rows[0].s).toBe(schema);
  });

  it("creates one run for one idempotency key across nodes asking at once", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    const agent = await a!.agents.create(newAgent());
    const since = new Date(Date.now() - 60_000).toISOString();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a! : b!).runs.create(newRun(agent.id, { idempotencyKey: "k" }), since),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.run.id)).size).toBe(1);
  });

  it("numbers concurrent appends of two nodes without gaps and notifies each position", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    const listener = new pg.Client(postgresUrl);
    await listener.connect();
    const heard: string[] = [];
    listener.on("notification", (n) => heard.push(n.payload ?? ""));
    await listener.query(`LISTEN ${a!.eventChannel}`);
    try {
      const agent = await a!.agents.create(newAgent());
      const { run } = await a!.runs.create(newRun(agent.id));
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a! : b!).runs.appendEvents(run.id, [{ type: "progress", done: i, total: 20 }]),
        ),
      );
      const events = await b!.runs.events(run.id, 0);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      await expect.poll(() => heard.length).toBe(20);
      expect(heard.map((p) => Number(p.split(" ")[1])).sort((x, y) => x - y)).toEqual(
        events.map((e) => e.seq),
      );
      expect(heard.every((p) => p.startsWith(`${run.id} `))).toBe(true);
      await expect(a!.runs.appendEvents("run_missing", [{ type: "run.queued" }])).rejects.toMatchObject({
        code: "RUN_NOT_FOUND",
      });
      await expect(a!.runs.create(newRun("agt_missing"))).rejects.toMatchObject({ code: "AGENT_NOT_FOUND" });
    } finally {
      await listener.end();
    }
  });

  it("deletes a thread's and an agent's LangGraph state with them, before and after first use", async () => {
    const store = await open(freshSchema());
    const agent = await store.agents.create(newAgent());
    const thread = await store.threads.create({ id: createId("thr"), agentId: agent.id, metadata: {} });
    // No checkpoint tables yet: deleting still works.
    expect(await store.threads.delete(thread.id)).toBe(true);
    const kept = await store.threads.create({ id: createId("thr"), agentId: agent.id, metadata: {} });
    const gone = await store.threads.create({ id: createId("thr"), agentId: agent.id, metadata: {} });
    const saver = store.checkpointer;
    const checkpoint = {
      v: 4,
      id: "1f0",
      ts: new Date().toISOString(),
      channel_values: { messages: ["hi"] },
      channel_versions: { messages: 1 },
      versions_seen: {},
    };
    for (const id of [kept.id, gone.id]) {
      await saver.put(
        { configurable: { thread_id: id, checkpoint_ns: "" } },
        checkpoint,
        { source: "input", step: 0, parents: {} },
        { messages: 1 },
      );
    }
    expect(await store.threads.delete(gone.id)).toBe(true);
    expect(await saver.getTuple({ configurable: { thread_id: gone.id } })).toBeUndefined();
    expect(await saver.getTuple({ configurable: { thread_id: kept.id } })).toBeDefined();
    expect(await store.agents.delete(agent.id)).toBe(true);
    expect(await saver.getTuple({ configurable: { thread_id: kept.id } })).toBeUndefined();
    expect(await store.agents.delete(agent.id)).toBe(false);
    await expect(
      store.threads.create({ id: createId("thr"), agentId: "agt_missing", metadata: {} }),
    ).rejects.toMatchObject({ code: "AGENT_NOT_FOUND" });
    await expect(
      store.schedules.create({
        id: createId("sch"),
        agentId: "agt_missing",
        cron: "* * * * *",
        timezone: "UTC",
        input: null,
        webhookUrl: null,
        enabled: true,
        overlap: "skip",
        nextRunAt: null,
      }),
    ).rejects.toMatchObject({ code: "AGENT_NOT_FOUND" });
  }, 60_000);

  it("fails to open, closing its pool, when the server refuses", async () => {
    const url = new URL(postgresUrl);
    url.pathname = `/agentrt_missing_${Date.now()}`;
    await expect(createPostgresStore({ url: url.toString(), schema: freshSchema() })).rejects.toThrow(
      /does not exist/,
    );
  });
});
