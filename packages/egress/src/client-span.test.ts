import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startClientSpan } from "./client-span.js";
import { createEgressPolicy } from "./egress-policy.js";
import { type HttpRequest, sendHttpRequest } from "./http-request.js";

// The real SDK, recording in memory: what an operator's tracing setup would see.
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager().enable();
const caller = provider.getTracer("test");
const policy = createEgressPolicy({ allow: ["127.0.0.1"] });
let server: Server;
let base: string;
const received: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  server = createServer((req, res) => {
    received.push(req.headers);
    res.writeHead(req.url === "/missing" ? 404 : 200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
beforeEach(() => {
  received.length = 0;
});
afterAll(async () => {
  server.close();
  policy.close();
  trace.disable();
  context.disable();
  propagation.disable();
  await provider.shutdown();
});

const request = (url: string, headers = new Headers()): HttpRequest => ({
  url,
  method: "GET",
  headers,
  body: undefined,
  signal: new AbortController().signal,
  maxResponseBytes: 1000,
  fetch: policy.fetch,
});

/** Sends `req` inside a caller's span; the spans recorded, the caller's last. */
async function traced(req: HttpRequest) {
  exporter.reset();
  const outcome = await caller.startActiveSpan("caller", async (span) => {
    try {
      return await sendHttpRequest(req).catch((error: unknown) => error);
    } finally {
      span.end();
    }
  });
  const spans = exporter.getFinishedSpans();
  return { outcome, client: spans[0]!, parent: spans.at(-1)! };
}

describe("an outbound request's client span", () => {
  it("is a child of the active span and carries the trace to the server", async () => {
    const { client, parent } = await traced(request(`${base}/items?token=secret`));
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(client.name).toBe("GET");
    expect(client.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(client.attributes).toEqual({
      "http.request.method": "GET",
      "server.address": "127.0.0.1",
      "server.port": Number(new URL(base).port),
      "url.scheme": "http",
      "http.response.status_code": 200,
    });
    expect(client.status.code).toBe(SpanStatusCode.UNSET);
    const { traceId, spanId } = client.spanContext();
    expect(received[0]?.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it("names an IPv6 server without brackets, and a scheme's default port", () => {
    exporter.reset();
    startClientSpan("GET", new URL("http://[::1]:8080/")).answered(204);
    startClientSpan("POST", new URL("https://api.example/v1")).answered(200);
    expect(
      exporter.getFinishedSpans().map((s) => [s.attributes["server.address"], s.attributes["server.port"]]),
    ).toEqual([
      ["::1", 8080],
      ["api.example", 443],
    ]);
  });

  it("keeps a traceparent the request sets itself", async () => {
    const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await traced(request(`${base}/`, new Headers({ traceparent: own })));
    expect(received[0]?.traceparent).toBe(own);
  });

  it("is an error for a 4xx answer and for no answer, with the status or the failure's kind", async () => {
    const missing = await traced(request(`${base}/missing`));
    expect(missing.client.attributes).toMatchObject({
      "http.response.status_code": 404,
      "error.type": "404",
    });
    expect(missing.client.status).toEqual({ code: SpanStatusCode.ERROR, message: "HTTP 404" });

    // Refused by the egress policy before any connection: the span still ends, as an error.
    const strict = createEgressPolicy();
    received.length = 0;
    try {
      const refused = await traced({ ...request(`${base}/`), fetch: strict.fetch });
      expect(refused.outcome).toMatchObject({ reason: "refused" });
      expect(refused.client.attributes["error.type"]).toEqual(expect.any(String));
      expect(refused.client.attributes).not.toHaveProperty("http.response.status_code");
      expect(refused.client.status.code).toBe(SpanStatusCode.ERROR);
      expect(received).toEqual([]);
    } finally {
      strict.close();
    }
  });
});
