import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshDatabaseUrl } from "@agentrt/store-postgres/testing";
import { createFakeModelServer, type FakeModelServer } from "@agentrt/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/lib/logger.js";
import { conversationConfig, createAgentOk } from "./conversation-host.js";
import { createFullHost } from "./full-host.js";
import { ADMIN_KEY, startTestServer, type TestServer } from "./helpers.js";
import { captureLogs } from "./log-capture.js";
import { startServerProcess } from "./process.js";
import { readSse } from "./sse.js";

/** A span as OTLP/HTTP JSON carries it, attributes flattened. */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values: OtlpValue[] };
}

function plain(value: OtlpValue): unknown {
  if (value.arrayValue) return value.arrayValue.values.map(plain);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue ?? value.doubleValue;
}

/** An in-process OTLP/HTTP (JSON) trace receiver. */
async function startReceiver() {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      if (req.url === "/v1/traces") {
        const payload = JSON.parse(body) as {
          resourceSpans: {
            scopeSpans: {
              spans: (Omit<ReceivedSpan, "attributes"> & {
                attributes?: { key: string; value: OtlpValue }[];
              })[];
            }[];
          }[];
        };
        for (const resource of payload.resourceSpans)
          for (const scope of resource.scopeSpans)
            for (const span of scope.spans) {
              spans.push({
                ...span,
                parentSpanId: span.parentSpanId || undefined,
                attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, plain(a.value)])),
              });
            }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    spans,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Waits (generously) until `found` returns something; the exporter sends batches every 50 ms. */
    async waitFor<T>(found: () => T | undefined | Promise<T | undefined>): Promise<T> {
      for (let i = 0; i < 400; i++) {
        const result = await found();
        if (result !== undefined) return result;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`spans never arrived; got ${spans.map((s) => s.name).join(", ")}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const traceparent = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;

/** An HTTP endpoint whose answers wait until `release()`: keeps a run running for as long as a test needs. */
async function startGate() {
  let release!: () => void;
  const open = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = createServer((_req, res) => {
    void open.then(() => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    release,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let fake: FakeModelServer;
let server: TestServer;
const logs = captureLogs();
let otel: Record<string, string>;

beforeAll(async () => {
  receiver = await startReceiver();
  fake = await createFakeModelServer({
    reply: () => ({ content: "traced", usage: { prompt_tokens: 5, completion_tokens: 2 } }),
  });
  otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "50",
    OTEL_TRACES_SAMPLER: "parentbased_always_on",
    OTEL_SERVICE_NAME: "agentrt-tracing-test",
  };
  // The SDK reads its settings from the process environment, as in production.
  Object.assign(process.env, otel);
  server = await startTestServer(
    {
      ...otel,
      AGENTRT_LOG_LEVEL: "debug",
      AGENTRT_HOST_DIR: createFullHost(),
      AGENTRT_WEBHOOK_SECRET: "tracing-test-secret",
      AGENTRT_WEBHOOK_ALLOW_INTERNAL: "127.0.0.1",
      AGENTRT_TEMPLATE_SETTINGS: JSON.stringify({
        task: { allowInternal: ["127.0.0.1"] },
        custom: { fetchAllowList: ["127.0.0.1"], jsWorkers: 1 },
      }),
    },
    createLogger({ level: "debug", destination: logs.stream }),
  );
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
  await receiver?.close();
});

const childrenOf = (parent: ReceivedSpan) => receiver.spans.filter((s) => s.parentSpanId === parent.spanId);

describe("OpenTelemetry traces", () => {
  it("joins a background task run to the request that created it: request → run → steps → model call, and its webhook", async () => {
    await createAgentOk(server, {
      name: "pipeline",
      template: "task",
      config: {
        steps: [
          { id: "fetch", kind: "http", url: `${fake.url}/models` },
          {
            id: "ask",
            kind: "llm",
            baseUrl: fake.url,
            model: "fake-model",
            prompt: "hi",
            dependsOn: ["fetch"],
          },
        ],
      },
    });
    const traceId = hex(16);
    const callerSpan = hex(8);
    const res = await server.api("/v1/agents/pipeline/runs", {
      method: "POST",
      headers: { traceparent: traceparent(traceId, callerSpan) },
      // The receiver answers 200 to any path: it takes the webhook too.
      body: JSON.stringify({ mode: "background", webhookUrl: `${receiver.url}/hook` }),
    });
    expect(res.status).toBe(202);
    const run = (await res.json()) as { id: string };

    const request = await receiver.waitFor(() =>
      receiver.spans.find((s) => s.traceId === traceId && s.parentSpanId === callerSpan),
    );
    expect(request).toMatchObject({
      name: "POST /v1/agents/:agent/runs",
      kind: 2, // SERVER
      attributes: {
        "http.request.method": "POST",
        "http.route": "/v1/agents/:agent/runs",
        "http.response.status_code": 202,
        "url.path": "/v1/agents/pipeline/runs",
        "url.scheme": "http",
        "server.address": "127.0.0.1",
        "server.port": Number(new URL(server.url).port),
      },
    });
    const runSpan = await receiver.waitFor(() =>
      childrenOf(request).find(
        (s) => s.name.startsWith("invoke_agent") && s.attributes["agentrt.run.status"],
      ),
    );
    expect(runSpan).toMatchObject({
      name: "invoke_agent pipeline",
      traceId,
      attributes: {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "pipeline",
        "agentrt.run.id": run.id,
        "agentrt.template.name": "task",
        "agentrt.template.version": expect.any(String),
        "agentrt.agent.revision": 1,
        "agentrt.run.status": "succeeded",
      },
    });
    const steps = await receiver.waitFor(() => {
      const found = childrenOf(runSpan).filter((s) => s.name.startsWith("step "));
      return found.length === 2 ? found : undefined;
    });
    expect(steps.map((s) => s.name).sort()).toEqual(["step ask", "step fetch"]);
    // The http step's request: a client span under its step, its trace carried to the server.
    const fetchStep = steps.find((s) => s.name === "step fetch")!;
    const get = await receiver.waitFor(() => childrenOf(fetchStep).find((s) => s.name === "GET"));
    expect(get).toMatchObject({
      kind: 3, // CLIENT
      attributes: { "http.request.method": "GET", "http.response.status_code": 200 },
    });
    const listed = fake.requests.find((r) => r.method === "GET" && r.headers.traceparent?.includes(traceId));
    expect(listed?.headers.traceparent).toBe(traceparent(traceId, get.spanId));
    const ask = steps.find((s) => s.name === "step ask")!;
    const model = await receiver.waitFor(() => childrenOf(ask).find((s) => s.name === "chat fake-model"));
    expect(model).toMatchObject({
      kind: 3, // CLIENT
      traceId,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "fake-model",
        "server.address": "127.0.0.1",
        "server.port": Number(new URL(fake.url).port),
        "gen_ai.usage.input_tokens": 5,
        "gen_ai.usage.output_tokens": 2,
        "gen_ai.response.finish_reasons": ["stop"],
      },
    });
    // Delivered after the run ended, in the trace of the request that created the run.
    const webhook = await receiver.waitFor(() =>
      childrenOf(request).find((s) => s.attributes["agentrt.webhook"] === true),
    );
    expect(webhook).toMatchObject({
      name: "POST",
      kind: 3, // CLIENT
      attributes: { "agentrt.webhook.outcome": "delivered", "http.response.status_code": 200 },
    });
  });

  it("takes a request span's url.path from the request target without its query, and server.address and port from Host", async () => {
    const { port } = new URL(server.url);
    // node:http, not fetch: a client sets the Host header itself.
    const spanOf = async (host: string, path: string) => {
      const traceId = hex(16);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        request(
          { host: "127.0.0.1", port, path, headers: { host, traceparent: traceparent(traceId, hex(8)) } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode));
          },
        )
          .on("error", reject)
          .end();
      });
      expect(status).toBe(200);
      return receiver.waitFor(() => receiver.spans.find((s) => s.traceId === traceId));
    };
    // An IPv6 literal with a port.
    expect(await spanOf("[::1]:8080", "/health?probe=1")).toMatchObject({
      name: "GET /health",
      attributes: {
        "url.path": "/health",
        "url.scheme": "http",
        "server.address": "::1",
        "server.port": 8080,
        "http.route": "/health",
      },
    });
    // No port: the scheme's.
    expect(await spanOf("agentrt.example", "/health")).toMatchObject({
      attributes: { "server.address": "agentrt.example", "server.port": 80 },
    });
  });

  it("joins a run executed after a restart (recovery re-queue) to the request that created it", async () => {
    const gate = await startGate();
    const dataDir = mkdtempSync(join(tmpdir(), "agentrt-traced-restart-"));
    const env = {
      ...otel,
      AGENTRT_DATA_DIR: dataDir,
      AGENTRT_HOST_DIR: createFullHost(),
      AGENTRT_ADMIN_KEY: ADMIN_KEY,
      AGENTRT_SHUTDOWN_GRACE_MS: "0",
      // One run at a time: the second run waits in the queue behind the first.
      AGENTRT_RUN_CONCURRENCY: "1",
      AGENTRT_TEMPLATE_SETTINGS: JSON.stringify({ task: { allowInternal: ["127.0.0.1"] } }),
    };
    const first = await startServerProcess(env);
    const call = async (base: string, path: string, init: RequestInit = {}) => {
      const res = await fetch(base + path, {
        ...init,
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          "content-type": "application/json",
          ...init.headers,
        },
      });
      return { status: res.status, body: (await res.json()) as { id: string; status: string } };
    };
    try {
      const created = await call(first.url, "/v1/agents", {
        method: "POST",
        body: JSON.stringify({
          name: "gated",
          template: "task",
          config: { steps: [{ id: "wait", kind: "http", url: `${gate.url}/wait` }] },
        }),
      });
      expect(created.status).toBe(201);
      const blocker = await call(first.url, "/v1/agents/gated/runs", {
        method: "POST",
        body: JSON.stringify({ mode: "background" }),
      });
      await receiver.waitFor(async () => {
        const { body } = await call(first.url, `/v1/runs/${blocker.body.id}`);
        return body.status === "running" ? true : undefined;
      });
      const traceId = hex(16);
      const callerSpan = hex(8);
      const waiting = await call(first.url, "/v1/agents/gated/runs", {
        method: "POST",
        headers: { traceparent: traceparent(traceId, callerSpan) },
        body: JSON.stringify({ mode: "background" }),
      });
      expect(waiting.body.status).toBe("queued");
      const request = await receiver.waitFor(() =>
        receiver.spans.find((s) => s.traceId === traceId && s.parentSpanId === callerSpan),
      );
      // The first process stops with the run still queued; the next one recovers and executes it.
      expect(await first.stop()).toBe(0);
      gate.release();
      const second = await startServerProcess(env);
      try {
        const runSpan = await receiver.waitFor(() =>
          receiver.spans.find(
            (s) => s.attributes["agentrt.run.id"] === waiting.body.id && s.attributes["agentrt.run.status"],
          ),
        );
        expect(runSpan).toMatchObject({
          traceId,
          parentSpanId: request.spanId,
          attributes: { "agentrt.run.status": "succeeded" },
        });
        const step = await receiver.waitFor(() => childrenOf(runSpan).find((s) => s.name === "step wait"));
        expect(step.traceId).toBe(traceId);
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop("SIGKILL");
      await gate.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("traces sandboxed code under its run and carries the trace into the requests the code makes", async () => {
    const seen: (string | undefined)[] = [];
    const target = createServer((req, res) => {
      seen.push(req.headers.traceparent as string | undefined);
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    try {
      await createAgentOk(server, {
        name: "sandboxed",
        template: "custom",
        config: {
          type: "inline",
          language: "javascript",
          content: `export async function main(_, ctx) {
            const res = await ctx.fetch(${JSON.stringify(`${targetUrl}/hello`)});
            return (await res.json()).ok;
          }`,
        },
      });
      const traceId = hex(16);
      const res = await server.api("/v1/agents/sandboxed/runs", {
        method: "POST",
        headers: { traceparent: traceparent(traceId, hex(8)) },
        body: JSON.stringify({ input: null }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "succeeded", output: true });

      const runSpan = await receiver.waitFor(() =>
        receiver.spans.find((s) => s.traceId === traceId && s.name === "invoke_agent sandboxed"),
      );
      const sandbox = await receiver.waitFor(() => childrenOf(runSpan).find((s) => s.name === "sandbox.run"));
      expect(sandbox.attributes).toMatchObject({ "agentrt.sandbox.language": "javascript" });
      const call = await receiver.waitFor(() => childrenOf(sandbox).find((s) => s.name === "GET"));
      expect(call).toMatchObject({
        kind: 3, // CLIENT
        traceId,
        attributes: {
          "http.request.method": "GET",
          "server.address": "127.0.0.1",
          "http.response.status_code": 200,
        },
      });
      // The server the code called joins the trace, under the fetch's span.
      expect(seen).toEqual([traceparent(traceId, call.spanId)]);
    } finally {
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }
  });

  it("logs a sandbox kill with the run's and trace's ids, never the code's output", async () => {
    const printed = "printed-by-user-code-sk-0123456789";
    await createAgentOk(server, {
      name: "runaway",
      template: "custom",
      config: {
        type: "inline",
        language: "javascript",
        timeout: 1,
        content: `export function main() { console.log(${JSON.stringify(printed)}); for (;;) {} }`,
      },
    });
    const traceId = hex(16);
    const res = await server.api("/v1/agents/runaway/runs", {
      method: "POST",
      headers: { traceparent: traceparent(traceId, hex(8)) },
      body: JSON.stringify({ input: null }),
    });
    const run = (await res.json()) as { id: string; status: string; error: { code: string } };
    expect(run).toMatchObject({ status: "failed", error: { code: expect.stringContaining("TIMEOUT") } });
    // The code's output is the run's: a log event, not a line of the host's log.
    const events = await readSse(
      await server.api(`/v1/runs/${run.id}/events`),
      (e) => e.event === "run.finished",
    );
    expect(events).toContainEqual(
      expect.objectContaining({ data: expect.objectContaining({ message: printed }) }),
    );
    const stopped = logs.parsed().find((l) => l.msg === "sandbox run stopped" && l.runId === run.id);
    expect(stopped).toMatchObject({ level: "warn", code: "TIMEOUT", traceId, requestId: expect.any(String) });
    expect(logs.lines.join("\n")).not.toContain(printed);
  });

  it("traces a conversation run's model call under its run and request", async () => {
    await createAgentOk(server, {
      name: "talker",
      template: "conversation",
      config: conversationConfig(fake),
    });
    const traceId = hex(16);
    const callerSpan = hex(8);
    const res = await server.api("/v1/agents/talker/runs", {
      method: "POST",
      headers: { traceparent: traceparent(traceId, callerSpan) },
      body: JSON.stringify({ input: "hello" }),
    });
    expect(res.status).toBe(200);
    const request = await receiver.waitFor(() =>
      receiver.spans.find((s) => s.traceId === traceId && s.parentSpanId === callerSpan),
    );
    const runSpan = await receiver.waitFor(() =>
      childrenOf(request).find((s) => s.name === "invoke_agent talker"),
    );
    expect(runSpan.attributes).toMatchObject({
      "agentrt.template.name": "conversation",
      "agentrt.run.status": "succeeded",
    });
    const model = await receiver.waitFor(() => childrenOf(runSpan).find((s) => s.name === "chat fake-model"));
    expect(model.attributes).toMatchObject({
      "gen_ai.request.model": "fake-model",
      "gen_ai.usage.input_tokens": 5,
      "gen_ai.usage.output_tokens": 2,
      "gen_ai.response.finish_reasons": ["stop"],
    });
  });

  it("puts the trace id in problem+json bodies and on the request's log lines", async () => {
    const traceId = hex(16);
    const res = await server.api("/v1/agents/nobody", {
      headers: { traceparent: traceparent(traceId, hex(8)) },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "AGENT_NOT_FOUND", traceId });
    const line = logs.parsed().find((l) => l.msg === "request" && l.traceId === traceId);
    expect(line).toMatchObject({ route: "/v1/agents/:agent", status: 404, requestId: expect.any(String) });
  });
});

describe("OpenTelemetry traces across nodes", () => {
  it("joins a run accepted by an API node and executed by a worker node to the accepting request", async () => {
    const env = {
      ...otel,
      AGENTRT_DATABASE_URL: freshDatabaseUrl(),
      AGENTRT_HOST_DIR: createFullHost(),
      AGENTRT_ADMIN_KEY: ADMIN_KEY,
    };
    // One after the other: the first migrates the database.
    const api = await startServerProcess({ ...env, AGENTRT_ROLE: "api" });
    const worker = await startServerProcess({ ...env, AGENTRT_ROLE: "worker" });
    try {
      const headers = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };
      const created = await fetch(`${api.url}/v1/agents`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "elsewhere", template: "echo" }),
      });
      expect(created.status).toBe(201);
      const traceId = hex(16);
      const callerSpan = hex(8);
      const res = await fetch(`${api.url}/v1/agents/elsewhere/runs`, {
        method: "POST",
        headers: { ...headers, traceparent: traceparent(traceId, callerSpan) },
        body: JSON.stringify({ input: "hi", mode: "background" }),
      });
      expect(res.status).toBe(202);
      const run = (await res.json()) as { id: string };
      const request = await receiver.waitFor(() =>
        receiver.spans.find((s) => s.traceId === traceId && s.parentSpanId === callerSpan),
      );
      const runSpan = await receiver.waitFor(() =>
        receiver.spans.find(
          (s) => s.attributes["agentrt.run.id"] === run.id && s.attributes["agentrt.run.status"],
        ),
      );
      expect(runSpan).toMatchObject({
        traceId,
        parentSpanId: request.spanId,
        attributes: { "agentrt.run.status": "succeeded" },
      });
    } finally {
      await Promise.all([api.stop(), worker.stop()]);
    }
  }, 120_000);
});
