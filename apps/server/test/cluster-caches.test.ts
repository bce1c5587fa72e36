import { rmSync } from "node:fs";
import { freshDatabaseUrl } from "@agentrt/store-postgres/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ADMIN_KEY, createTestHost } from "./helpers.js";
import { type ServerProcess, startServerProcess } from "./process.js";

/**
 * A change made through one node reaches the caches of the others: by notification (within about a
 * second), and, should a notification be lost, by age (within 5 s). The test hook
 * AGENTRT_TEST_INVALIDATIONS leaves one mechanism alone at a time, so each is shown to hold by
 * itself. Every check polls until it holds; a generous deadline fails it.
 */
const hostDir = createTestHost();
const processes: ServerProcess[] = [];
const DEADLINE = { timeout: 20_000, interval: 100 };

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop("SIGKILL")));
});
afterAll(() => rmSync(hostDir, { recursive: true, force: true }));

async function twoNodes(env: Record<string, string>): Promise<[ServerProcess, ServerProcess]> {
  const databaseUrl = freshDatabaseUrl();
  const nodes: ServerProcess[] = [];
  for (let i = 0; i < 2; i++) {
    const node = await startServerProcess({
      AGENTRT_DATABASE_URL: databaseUrl,
      AGENTRT_HOST_DIR: hostDir,
      AGENTRT_ADMIN_KEY: ADMIN_KEY,
      ...env,
    });
    processes.push(node);
    nodes.push(node);
  }
  return nodes as [ServerProcess, ServerProcess];
}

async function call(
  node: ServerProcess,
  method: string,
  path: string,
  body?: unknown,
  key = ADMIN_KEY,
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(node.url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const modes = [
  ["notification and age together (production)", {}],
  ["notifications alone (no age safety net)", { AGENTRT_TEST_INVALIDATIONS: "notify-only" }],
  ["age alone (every notification dropped)", { AGENTRT_TEST_INVALIDATIONS: "age-only" }],
] as const;

describe("caches across nodes on one PostgreSQL", () => {
  describe.each(modes)("%s", (_, env) => {
    it("a key revoked, narrowed or re-limited through A takes effect on B", async () => {
      const [a, b] = await twoNodes(env);
      const created = await call(a, "POST", "/v1/api-keys", { name: "ops", scopes: ["admin"] });
      expect(created.status).toBe(201);
      const doomed = await call(a, "POST", "/v1/api-keys", { name: "doomed", scopes: ["read"] });
      const { id, key } = created.body as { id: string; key: string };
      // B caches both keys with what they allow now.
      expect((await call(b, "GET", "/v1/api-keys", undefined, key)).status).toBe(200);
      expect((await call(b, "GET", "/v1/agents", undefined, doomed.body.key)).status).toBe(200);
      const before = await call(b, "GET", "/v1/agents", undefined, key);
      expect(before.headers.get("ratelimit-policy")).toBe('"read";q=1200;w=60');

      expect((await call(a, "DELETE", `/v1/api-keys/${doomed.body.id}`)).status).toBe(204);
      await expect
        .poll(async () => (await call(b, "GET", "/v1/agents", undefined, doomed.body.key)).status, DEADLINE)
        .toBe(401);

      const patched = await call(a, "PATCH", `/v1/api-keys/${id}`, {
        scopes: ["read"],
        rateLimits: { read: 50 },
      });
      expect(patched.status).toBe(200);
      await expect
        .poll(async () => (await call(b, "GET", "/v1/api-keys", undefined, key)).status, DEADLINE)
        .toBe(403);
      const after = await call(b, "GET", "/v1/agents", undefined, key);
      expect(after.headers.get("ratelimit-policy")).toBe('"read";q=50;w=60');
    });

    it("an agent paused, resumed or changed through A is run as it now is through B", async () => {
      const [a, b] = await twoNodes(env);
      expect((await call(a, "POST", "/v1/agents", { name: "echo", template: "echo" })).status).toBe(201);
      const first = await call(b, "POST", "/v1/agents/echo/runs", { input: "x" });
      expect(first.body).toMatchObject({ status: "succeeded", output: "hello x", agentRevision: 1 });

      expect((await call(a, "POST", "/v1/agents/echo/pause")).status).toBe(200);
      await expect
        .poll(async () => (await call(b, "POST", "/v1/agents/echo/runs", { input: "x" })).body.code, DEADLINE)
        .toBe("AGENT_PAUSED");
      expect((await call(a, "POST", "/v1/agents/echo/resume")).status).toBe(200);
      await expect
        .poll(async () => (await call(b, "POST", "/v1/agents/echo/runs", { input: "x" })).status, DEADLINE)
        .toBe(200);

      const patched = await call(a, "PATCH", "/v1/agents/echo", { config: { greeting: "hi" } });
      expect(patched.body).toMatchObject({ revision: 2 });
      await expect
        .poll(async () => (await call(b, "POST", "/v1/agents/echo/runs", { input: "x" })).body, DEADLINE)
        .toMatchObject({ status: "succeeded", output: "hi x", agentRevision: 2 });

      expect((await call(a, "DELETE", "/v1/agents/echo")).status).toBe(204);
      await expect
        .poll(async () => (await call(b, "POST", "/v1/agents/echo/runs", { input: "x" })).body.code, DEADLINE)
        .toBe("AGENT_NOT_FOUND");
    });
  });
});
