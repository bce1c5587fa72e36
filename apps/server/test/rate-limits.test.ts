import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentOk } from "./conversation-host.js";
import { startTestServer, type TestServer } from "./helpers.js";
import { apiError } from "./openai-client.js";

/** Requests the server counted by status for one route, from its own `/metrics`. */
async function served(server: TestServer, route: string): Promise<Record<string, number>> {
  const text = await (await server.api("/metrics")).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/agentrt_http_requests_total\{([^}]*)\} (\d+)/g)) {
    const labels = match[1]!;
    if (!labels.includes(`route="${route}"`)) continue;
    const status = /status="(\d+)"/.exec(labels)![1]!;
    counts[status] = (counts[status] ?? 0) + Number(match[2]);
  }
  return counts;
}

async function newKey(server: TestServer, body: Record<string, unknown>): Promise<string> {
  const res = await server.call("POST", "/v1/api-keys", body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.key;
}

describe("per API key and scope class, over a long window", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ AGENTRT_RATE_LIMIT_WINDOW_S: "3600", AGENTRT_RATE_LIMIT_ADMIN: "0" });
  });
  afterAll(() => server.stop());

  it("lets exactly L of N parallel requests through, and answers the rest 429 with when to retry", async () => {
    const key = await newKey(server, { name: "limited", scopes: ["read"], rateLimits: { read: 15 } });
    const answers = await Promise.all(Array.from({ length: 40 }, () => server.api("/v1/agents", { key })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(15);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
    const ok = answers.find((r) => r.status === 200)!;
    expect(ok.headers.get("ratelimit-policy")).toBe('"read";q=15;w=3600');
    expect(ok.headers.get("ratelimit")).toMatch(/^"read";r=\d+;t=\d+$/);
    const refused = answers.find((r) => r.status === 429)!;
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(await refused.json()).toMatchObject({ code: "RATE_LIMITED", status: 429 });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.headers.get("ratelimit")).toMatch(/^"read";r=0;t=\d+$/);
    // The OpenAPI document's 429 of this route declares exactly the headers it sent.
    // biome-ignore lint/suspicious/noExplicitAny: the published document, read as JSON
    const doc: any = await (await server.api("/openapi.json")).json();
    const declared = doc.paths["/v1/agents"].get.responses["429"];
    expect(declared).toEqual({ $ref: "#/components/responses/TooManyRequests" });
    const headers = Object.keys(doc.components.responses.TooManyRequests.headers);
    expect(headers.sort()).toEqual(["RateLimit", "RateLimit-Policy", "Retry-After"]);
    for (const name of headers) {
      expect(refused.headers.get(name), name).not.toBeNull();
      expect(doc.components.headers[name], name).toHaveProperty("schema");
    }
    await Promise.all(answers.filter((r) => !r.bodyUsed).map((r) => r.text()));
  });

  it("keeps scope classes apart and takes a key's new limits at once (PATCH)", async () => {
    const key = await newKey(server, { name: "both", scopes: ["invoke"], rateLimits: { read: 1 } });
    expect((await server.api("/v1/agents", { key })).status).toBe(200);
    expect((await server.api("/v1/agents", { key })).status).toBe(429);
    // Invoke routes have their own budget (the server default): past the limiter to the handler.
    const run = await server.api("/v1/agents/nobody/runs", { key, method: "POST", body: "{}" });
    expect(run.status).toBe(404);

    const listed = await server.call("GET", "/v1/api-keys?limit=100");
    const record = listed.body.data.find((k: { name: string }) => k.name === "both");
    expect(record.rateLimits).toEqual({ read: 1 });
    const patched = await server.call("PATCH", `/v1/api-keys/${record.id}`, { rateLimits: { read: 0 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "both", scopes: ["invoke"], rateLimits: { read: 0 } });
    const unlimited = await server.api("/v1/agents", { key });
    expect(unlimited.status).toBe(200);
    expect(unlimited.headers.get("ratelimit")).toBeNull();

    expect((await server.call("PATCH", "/v1/api-keys/key_missing", { name: "x" })).status).toBe(404);
    const bad = await server.call("PATCH", `/v1/api-keys/${record.id}`, { rateLimits: { read: -1 } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toEqual(["rateLimits", "read"]);
  });

  it("answers /v1/chat/completions in OpenAI's shape: rate_limit_exceeded", async () => {
    await createAgentOk(server, { name: "echo", template: "echo" });
    const key = await newKey(server, { name: "chatty", scopes: ["invoke"], rateLimits: { invoke: 1 } });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 });
    const messages = [{ role: "user" as const, content: "hi" }];
    await client.chat.completions.create({ model: "echo", messages });
    const error = await apiError(client.chat.completions.create({ model: "echo", messages }));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe("rate_limit_exceeded");
    expect(error.type).toBe("requests");
    expect(Number(error.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(error.headers?.get("ratelimit-policy")).toBe('"invoke";q=1;w=3600');
  });
});

describe("the official openai SDK backs off on a 429", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ AGENTRT_RATE_LIMIT_WINDOW_S: "2" });
    await createAgentOk(server, { name: "echo", template: "echo" });
  });
  afterAll(() => server.stop());

  it("waits the Retry-After and then succeeds: the server saw one 429 and the retry", async () => {
    const key = await newKey(server, {
      name: "one-per-window",
      scopes: ["invoke"],
      rateLimits: { invoke: 1 },
    });
    // Default maxRetries (2): the SDK retries 429s after the server's Retry-After.
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key });
    const messages = [{ role: "user" as const, content: "hi" }];
    await client.chat.completions.create({ model: "echo", messages });
    const second = await client.chat.completions.create({ model: "echo", messages });
    expect(second.choices[0]!.message.content).toContain("hi");
    const counts = await served(server, "/v1/chat/completions");
    // Two calls: the first answered at once, the second refused once (its window was spent) and
    // answered on the SDK's retry once the window had passed.
    expect(counts).toEqual({ "200": 2, "429": 1 });
  }, 30_000);
});
