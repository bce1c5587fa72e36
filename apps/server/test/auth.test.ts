import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";

let server: TestServer;
let doc: {
  paths: Record<string, Record<string, { "x-required-scope"?: string; responses: Record<string, unknown> }>>;
};
let keys: Record<"read" | "invoke", string>;

beforeAll(async () => {
  server = await startTestServer();
  doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as typeof doc;
  const read = await server.call("POST", "/v1/api-keys", { name: "reader", scopes: ["read"] });
  const invoke = await server.call("POST", "/v1/api-keys", { name: "invoker", scopes: ["invoke"] });
  keys = { read: read.body.key, invoke: invoke.body.key };
});
afterAll(() => server.stop());

/** The error code of a problem+json body, or of an OpenAI-shaped error on the OpenAI-compatible routes. */
async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { code?: string; error?: { code?: string; type?: string } };
  if (res.headers.get("content-type") === "application/problem+json") return body.code;
  return body.error?.type;
}

const PUBLIC = new Set(["/health", "/ready", "/openapi.json", "/docs"]);

/** Every authenticated operation of the published document, so routes added later are covered automatically. */
function operations() {
  return Object.entries(doc.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        url: path.replace(/\{[^}]+\}/g, "x"),
        scope: op["x-required-scope"],
        responses: op.responses,
      })),
    )
    .filter((o) => !PUBLIC.has(o.path));
}

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("documents every /v1 route with its scope and error responses", () => {
    const v1 = operations();
    expect(v1.length).toBeGreaterThanOrEqual(14);
    for (const op of v1) {
      expect(op.scope, `${op.method} ${op.path}`).toMatch(/^(admin|invoke|read)$/);
      expect(Object.keys(op.responses), `${op.method} ${op.path}`).toEqual(
        expect.arrayContaining(["401", "403"]),
      );
      // Every rate-limited route shares one 429 definition (with its RateLimit headers) per error format.
      expect(op.responses["429"], `${op.method} ${op.path}`).toEqual({
        $ref: expect.stringMatching(/^#\/components\/responses\/(OpenAI)?TooManyRequests$/),
      });
    }
  });

  it("serves the docs page without a key", async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("/openapi.json");
  });
});

describe("authentication and scopes", () => {
  it("answers 401 on every /v1 route without a key or with a wrong one", async () => {
    for (const op of operations()) {
      for (const key of [null, "art_not-a-real-key"]) {
        const res = await server.api(op.url, { method: op.method, key });
        expect(res.status, `${op.method} ${op.path} key=${key}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toContain("Bearer");
        expect(await errorCode(res)).toMatch(/^(UNAUTHORIZED|invalid_request_error|authentication_error)$/);
      }
    }
  });

  it("answers 403 when the key's scope is too weak, and lets health checks through", async () => {
    const weaker = { admin: ["invoke", "read"], invoke: ["read"], read: [] } as const;
    let checked = 0;
    for (const op of operations()) {
      for (const scope of weaker[op.scope as keyof typeof weaker]) {
        const res = await server.api(op.url, { method: op.method, key: keys[scope] });
        expect(res.status, `${op.method} ${op.path} with ${scope}`).toBe(403);
        expect(await errorCode(res)).toMatch(/^(FORBIDDEN|invalid_request_error|permission_error)$/);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(((await (await fetch(`${server.url}/ready`)).json()) as { status: string }).status).toBe("ready");
  });

  it("lets a read key read, and revoked keys stop working at once", async () => {
    expect((await server.api("/v1/agents", { key: keys.read })).status).toBe(200);
    const { body: created } = await server.call("POST", "/v1/api-keys", {
      name: "temp",
      scopes: ["read", "read"],
    });
    expect(created.scopes).toEqual(["read"]);
    expect(created.key).toMatch(/^art_/);
    expect((await server.api("/v1/agents", { key: created.key })).status).toBe(200);
    const list = await server.call("GET", "/v1/api-keys");
    expect(JSON.stringify(list.body)).not.toContain(created.key);
    expect(list.body.data.find((k: { id: string }) => k.id === created.id)).toMatchObject({
      name: "temp",
      prefix: created.key.slice(0, 12),
    });
    expect((await server.call("DELETE", `/v1/api-keys/${created.id}`)).status).toBe(204);
    expect((await server.api("/v1/agents", { key: created.key })).status).toBe(401);
    expect((await server.call("DELETE", `/v1/api-keys/${created.id}`)).body.code).toBe("API_KEY_NOT_FOUND");
    expect((await server.call("POST", "/v1/api-keys", { name: "none", scopes: [] })).status).toBe(422);
  });
});
