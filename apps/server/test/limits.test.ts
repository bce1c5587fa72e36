import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestServer, type TestServer } from "./helpers.js";
import { sampleValue, scrapeMetrics } from "./prometheus.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ AGENTRT_BODY_LIMIT_BYTES: String(64 * 1024) });
});
afterAll(() => server.stop());

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = await res.json();
  expect(body).toMatchObject({
    status,
    code,
    type: expect.stringContaining(code),
    title: expect.any(String),
    detail: expect.any(String),
  });
  return body;
}

describe("request limits and malformed input", () => {
  it("refuses bodies over the limit with 413, with and without a content length", async () => {
    const big = JSON.stringify({ name: "big", template: "echo", config: { greeting: "x".repeat(70_000) } });
    await expectProblem(
      await server.api("/v1/agents", { method: "POST", body: big }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    const stream = new Blob([big]).stream();
    await expectProblem(
      await server.api("/v1/agents", { method: "POST", body: stream, duplex: "half" } as RequestInit),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });

  it("answers malformed JSON with 400, a wrong media type with 415, deep nesting with 422", async () => {
    await expectProblem(
      await server.api("/v1/agents", { method: "POST", body: '{"name": "x",' }),
      400,
      "MALFORMED_JSON",
    );
    await expectProblem(
      await server.api("/v1/agents", {
        method: "POST",
        body: "name=x",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    await expectProblem(
      await server.api("/v1/agents", {
        method: "POST",
        body: `{"name":"deep","template":"echo","config":{"tags":${deep}}}`,
      }),
      422,
      "VALIDATION_FAILED",
    );
  });

  it("answers unknown routes with a problem 404", async () => {
    await expectProblem(await fetch(`${server.url}/nope`), 404, "ROUTE_NOT_FOUND");
  });

  it("answers a request without a usable Host or target with a problem 400, before any route", async () => {
    const { port } = new URL(server.url);
    for (const head of [
      "GET /health HTTP/1.1\r\nHost: [::1\r\n",
      "GET /v1/agents HTTP/1.1\r\nHost: :\r\n",
      "GET /v1/agents HTTP/1.0\r\n",
      "GET http://[::1/health HTTP/1.1\r\nHost: localhost\r\n",
    ]) {
      const raw = await rawExchange(Number(port), `${head}\r\n`);
      const [headers = "", body = ""] = raw.split("\r\n\r\n");
      expect(headers, head).toMatch(/^HTTP\/1\.[01] 400 /);
      expect(headers.toLowerCase()).toContain("content-type: application/problem+json");
      expect(JSON.parse(body)).toMatchObject({
        status: 400,
        code: "BAD_REQUEST",
        detail: expect.any(String),
      });
    }
    // The server is unharmed: the next request on a new connection is answered as usual.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    // Counted though no route (nor method) was known.
    const requests = (await scrapeMetrics(server)).get("agentrt_http_requests_total");
    expect(sampleValue(requests, { method: "_OTHER", route: "", status: "400" })).toBe(4);
  });
});

/** Sends raw bytes on a new connection and returns everything the server writes until it closes. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1", () => socket.end(bytes));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

const jsonValue = fc.jsonValue({ maxDepth: 6 });
const hostileString = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.string({ unit: "binary", maxLength: 50 }),
  fc.constantFrom(
    "",
    " ",
    "agt_x",
    "../../etc/passwd",
    "echo@^",
    "echo@>=1 <2",
    "\u0000",
    "💥".repeat(30),
    "a".repeat(5000),
  ),
);
const agentBody = fc.record(
  {
    name: fc.oneof(hostileString, jsonValue),
    template: fc.oneof(fc.constantFrom("echo", "multi", "multi@^1", "echo@1.2.0"), hostileString, jsonValue),
    description: fc.oneof(hostileString, jsonValue),
    config: fc.oneof(
      jsonValue,
      fc.record(
        {
          greeting: fc.oneof(hostileString, jsonValue),
          repeat: jsonValue,
          tags: fc.array(jsonValue, { maxLength: 30 }),
        },
        { requiredKeys: [] },
      ),
    ),
    extra: jsonValue,
  },
  { requiredKeys: [] },
);

describe("hostile requests never produce a 5xx (property-based)", () => {
  it("POST /v1/agents and PATCH /v1/agents/{id} with arbitrary JSON", async () => {
    let created = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(agentBody, jsonValue), fc.boolean(), async (body, patch) => {
        // The PATCH target may have been renamed by an earlier PATCH: recreate it.
        if (patch && (await server.call("GET", "/v1/agents/fc-target")).status === 404) {
          await server.call("POST", "/v1/agents", { name: "fc-target", template: "echo" });
          created++;
        }
        const res = patch
          ? await server.call("PATCH", "/v1/agents/fc-target", body)
          : await server.call("POST", "/v1/agents", body);
        expect(res.status, JSON.stringify(body).slice(0, 300)).toBeLessThan(500);
        if (res.status >= 400) expect(typeof res.body.code).toBe("string");
        if (res.status === 201) created++;
      }),
      { numRuns: 300, seed: 42 },
    );
    // Nothing half-written: exactly the agents answered 201 are stored.
    let stored = 0;
    let cursor: string | null = null;
    do {
      const page: { body: { data: unknown[]; nextCursor: string | null } } = await server.call(
        "GET",
        `/v1/agents?limit=200${cursor ? `&cursor=${cursor}` : ""}`,
      );
      stored += page.body.data.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(stored).toBe(created);
  });

  it("raw bytes: invalid UTF-8, huge strings, 10k-element arrays, odd content types", async () => {
    const cases: [Uint8Array | string, string][] = [
      [
        new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
        "application/json",
      ],
      [
        JSON.stringify({ name: "huge", template: "echo", config: { greeting: "é".repeat(30_000) } }),
        "application/json",
      ],
      [
        JSON.stringify({
          name: "arr",
          template: "echo",
          config: { tags: Array.from({ length: 10_000 }, (_, i) => `t${i}`) },
        }),
        "application/json",
      ],
      [JSON.stringify(Array.from({ length: 10_000 }, () => 1)), "application/json"],
      ["null", "application/json"],
      ['"just a string"', "application/json; charset=utf-8"],
      ["{}", "text/plain"],
      ["{}", "application/vnd.api+json"],
      ["", "application/json"],
    ];
    for (const [body, type] of cases) {
      for (const path of [
        "/v1/agents",
        "/v1/agents/fc-target",
        "/v1/api-keys",
        "/v1/agents/fc-target/upgrade",
      ]) {
        const method = path === "/v1/agents/fc-target" ? "PATCH" : "POST";
        const res = await server.api(path, {
          method,
          body,
          headers: { "content-type": type, authorization: `Bearer ${ADMIN_KEY}` },
        });
        expect(res.status, `${method} ${path} ${type}`).toBeLessThan(500);
        expect(res.status).not.toBe(201);
      }
    }
  });
});
