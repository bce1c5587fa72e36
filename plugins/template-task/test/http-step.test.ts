import { ErrorCode } from "@agentrt/core";
import { collectEvents, createTestRunContext } from "@agentrt/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgent as createAgentWith } from "./create-agent.js";
import { finishedOf, outputOf } from "./events.js";
import { sendJson, startUpstreamServer, type UpstreamServer } from "./upstream-server.js";

/** The test servers listen on 127.0.0.1: the operator setting allows exactly that internal address. */
const LOOPBACK_SETTINGS = { allowInternal: ["127.0.0.1"] };
const createAgent = (config: unknown, env: Record<string, string | undefined> = {}) =>
  createAgentWith(config, env, {}, LOOPBACK_SETTINGS);

/** What the /echo route answers with. */
interface Echo {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

let upstream: UpstreamServer;

beforeAll(async () => {
  upstream = await startUpstreamServer((req, res) => {
    const path = req.path.split("?")[0];
    if (path === "/json") return sendJson(res, 200, { title: "Hello", items: [{ id: 7 }] });
    if (path === "/echo" || path?.startsWith("/echo/"))
      return sendJson(res, 200, { method: req.method, path: req.path, headers: req.headers, body: req.body });
    if (path === "/text") return void res.writeHead(200, { "content-type": "text/plain" }).end("plain text");
    if (path === "/missing") return sendJson(res, 404, { error: "not here" });
    if (path === "/broken") return void res.writeHead(500, { "content-type": "text/plain" }).end("kaput");
    if (path === "/bad-json")
      return void res.writeHead(200, { "content-type": "application/json" }).end("{nope");
    if (path === "/big-declared")
      return void res.writeHead(200, { "content-length": "2048" }).end("x".repeat(2048));
    if (path === "/big-chunked") {
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 4; i++) res.write("y".repeat(512));
      return void res.end();
    }
    res.writeHead(204).end();
  });
});

afterAll(() => upstream.close());

async function runSteps(steps: unknown[], input: unknown = {}, extra: Record<string, unknown> = {}) {
  const agent = await createAgent({ steps, ...extra });
  return collectEvents(agent.run(input, createTestRunContext()));
}

describe("http step", () => {
  it("parses JSON responses and feeds them to later steps", async () => {
    const events = await runSteps(
      [
        { id: "fetch", kind: "http", url: `${upstream.url}/json` },
        {
          id: "echo",
          kind: "http",
          method: "POST",
          url: `${upstream.url}/echo?q={{input.q | urlencode}}&id={{steps.fetch.output.items.0.id}}`,
          headers: { "x-title": "{{steps.fetch.output.title}}" },
          body: {
            title: "{{steps.fetch.output.title}}",
            item: "{{steps.fetch.output.items.0}}",
            n: "{{input.n}}",
          },
        },
      ],
      { q: "a b&c", n: 3 },
    );
    const echo = finishedOf(events, "echo").output as Echo;
    expect(echo.method).toBe("POST");
    expect(echo.path).toBe("/echo?q=a%20b%26c&id=7");
    expect(echo.headers["x-title"]).toBe("Hello");
    expect(echo.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(echo.body)).toEqual({ title: "Hello", item: { id: 7 }, n: 3 });
    expect(outputOf(events)).toMatchObject({ fetch: { title: "Hello" } });
  });

  it("sends a string body as is, keeping a given content type", async () => {
    const events = await runSteps(
      [
        {
          id: "echo",
          kind: "http",
          method: "PUT",
          url: `${upstream.url}/echo`,
          headers: { "content-type": "text/csv" },
          body: "a,b\n{{input.x}},2",
        },
      ],
      { x: 1 },
    );
    const echo = finishedOf(events, "echo").output as Echo;
    expect(echo.body).toBe("a,b\n1,2");
    expect(echo.headers["content-type"]).toBe("text/csv");
  });

  it("returns text bodies as strings and empty bodies as the empty string", async () => {
    const events = await runSteps([
      { id: "text", kind: "http", url: `${upstream.url}/text` },
      { id: "empty", kind: "http", method: "DELETE", url: `${upstream.url}/nothing` },
    ]);
    expect(outputOf(events)).toEqual({ text: "plain text", empty: "" });
  });

  it.each([
    ["/missing", ErrorCode.UPSTREAM_ERROR, 'answered 404: {"error":"not here"}'],
    ["/broken", ErrorCode.UPSTREAM_ERROR, "answered 500: kaput"],
    ["/bad-json", ErrorCode.UPSTREAM_ERROR, "does not parse"],
    ["/big-declared", ErrorCode.RESPONSE_TOO_LARGE, "exceeds 1024 bytes"],
    ["/big-chunked", ErrorCode.RESPONSE_TOO_LARGE, "exceeds 1024 bytes"],
  ])("fails %s with %s", async (path, code, message) => {
    const events = await runSteps(
      [{ id: "call", kind: "http", url: `${upstream.url}${path}` }],
      {},
      {
        strictMode: false,
        maxResponseBytes: 1024,
      },
    );
    const event = finishedOf(events, "call");
    expect(event.status).toBe("failed");
    expect(event.error?.code).toBe(code);
    expect(event.error?.message).toContain(message);
  });

  it.each([
    ["{{input.url}}", { url: "not a url" }, "is not a URL"],
    ["{{input.url}}", { url: "file:///etc/passwd" }, "is not an http(s) URL"],
    ["http://127.0.0.1:1/closed", {}, "failed:"],
  ])("fails for url %s with %j", async (url, input, message) => {
    const events = await runSteps([{ id: "call", kind: "http", url }], input, { strictMode: false });
    const event = finishedOf(events, "call");
    expect(event.status).toBe("failed");
    expect(event.error?.message).toContain(message);
  });

  it("percent-encodes input in a fixed origin's path and query, so it stays on that origin", async () => {
    const events = await runSteps(
      [
        {
          id: "echo",
          kind: "http",
          url: `${upstream.url}/echo/{{input.id}}?to={{input.to}}&q={{input.q | urlencode}}`,
        },
      ],
      { id: "../admin", to: "@evil.com/http://127.0.0.1/", q: "a b" },
    );
    expect((finishedOf(events, "echo").output as Echo).path).toBe(
      "/echo/..%2Fadmin?to=%40evil.com%2Fhttp%3A%2F%2F127.0.0.1%2F&q=a%20b",
    );
  });

  it("fails the step, without retrying, for a header value with CR/LF or a . path segment", async () => {
    for (const [step, reason] of [
      [{ url: `${upstream.url}/echo`, headers: { "x-a": "{{input.v}}" } }, "header"],
      [{ url: `${upstream.url}/echo/{{input.v}}/x` }, "path"],
    ] as const) {
      const before = upstream.requests.length;
      const events = await runSteps(
        [{ id: "call", kind: "http", ...step }],
        { v: reason === "header" ? "a\r\nx-admin: yes" : ".." },
        { strictMode: false, retryCount: 2 },
      );
      expect(finishedOf(events, "call")).toMatchObject({
        status: "failed",
        attempts: 1,
        error: { code: "task.STEP_FAILED", details: { reason } },
      });
      expect(upstream.requests.length).toBe(before);
    }
  });

  it("reads header values from env and secret references per request", async () => {
    const secrets = { get: async (name: string) => (name === "tracker" ? "Bearer t-secret" : undefined) };
    const agent = await createAgentWith(
      {
        steps: [
          {
            id: "echo",
            kind: "http",
            url: `${upstream.url}/echo`,
            headers: { authorization: { secret: "tracker" }, "x-env": { env: "CLIENT_ID" } },
          },
        ],
      },
      { CLIENT_ID: "c-1" },
      { secrets },
      LOOPBACK_SETTINGS,
    );
    const events = await collectEvents(agent.run({}, createTestRunContext()));
    expect((finishedOf(events, "echo").output as Echo).headers).toMatchObject({
      authorization: "Bearer t-secret",
      "x-env": "c-1",
    });
  });

  it("refuses a header reference that does not resolve when the agent is created", async () => {
    await expect(
      createAgent({
        steps: [
          { id: "get", kind: "http", url: `${upstream.url}/echo`, headers: { "x-a": { env: "NOPE" } } },
        ],
      }),
    ).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [
        {
          path: ["steps", 0, "headers", "x-a", "env"],
          message: "environment variable NOPE is not set on the server",
        },
      ],
    });
  });
});
