import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createFakeModelServer, type FakeModelServer } from "@agentrt/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { conversationConfig, createAgentOk } from "./conversation-host.js";
import { createFullHost } from "./full-host.js";
import { startTestServer, type TestServer } from "./helpers.js";
import { sampleValue, scrapeMetrics } from "./prometheus.js";
import { readSse } from "./sse.js";

let server: TestServer;
let fake: FakeModelServer;
let receiver: Server;
let receiverUrl = "";

beforeAll(async () => {
  fake = await createFakeModelServer({
    reply: () => ({ content: "fine", usage: { prompt_tokens: 7, completion_tokens: 3 } }),
  });
  receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end("ok"));
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await startTestServer({
    AGENTRT_HOST_DIR: createFullHost(),
    AGENTRT_WEBHOOK_SECRET: "metrics-webhook-secret",
    AGENTRT_WEBHOOK_ALLOW_INTERNAL: "127.0.0.1",
    AGENTRT_TEMPLATE_SETTINGS: JSON.stringify({
      task: { allowInternal: ["127.0.0.1"] },
      custom: { jsWorkers: 1, pythonWorkers: 1 },
    }),
  });
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
  receiver?.close();
});

describe("/metrics", () => {
  it("exposes every metric family after a run of each template, in a format a Prometheus parser reads", async () => {
    await createAgentOk(server, { name: "chat", template: "conversation", config: conversationConfig(fake) });
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
    await createAgentOk(server, {
      name: "code",
      template: "custom",
      config: {
        type: "inline",
        language: "javascript",
        content: "export function main(n) { return n + 1; }",
      },
    });
    const chat = await server.call("POST", "/v1/agents/chat/runs", { input: "hello" });
    expect(chat.body.status).toBe("succeeded");
    const task = await server.call("POST", "/v1/agents/pipeline/runs", {});
    expect(task.body.status, JSON.stringify(task.body)).toBe("succeeded");
    const code = await server.call("POST", "/v1/agents/code/runs", { input: 1, webhookUrl: receiverUrl });
    expect(code.body).toMatchObject({ status: "succeeded", output: 2 });
    const streamed = await server.api("/v1/agents/chat/runs", {
      method: "POST",
      body: JSON.stringify({ input: "streamed", mode: "stream" }),
    });
    const events = await readSse(streamed);
    expect(events.at(-1)?.event).toBe("run.finished");
    // The webhook is delivered in the background; wait for its attempt to be recorded.
    for (let i = 0; i < 200; i++) {
      const run = await server.call("GET", `/v1/runs/${code.body.id}`);
      if (run.body.webhookDeliveries?.length) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    const families = await scrapeMetrics(server);
    for (const name of [
      "agentrt_http_requests_total",
      "agentrt_http_request_duration_seconds",
      "agentrt_runs_started_total",
      "agentrt_runs_finished_total",
      "agentrt_run_duration_seconds",
      "agentrt_step_duration_seconds",
      "agentrt_run_queue_wait_seconds",
      "agentrt_runs_queued",
      "agentrt_runs_running",
      "agentrt_sse_streams_active",
      "agentrt_gen_ai_tokens_total",
      "agentrt_sandbox_workers",
      "agentrt_sandbox_crashes_total",
      "agentrt_sandbox_kills_total",
      "agentrt_templates_loaded",
      "agentrt_templates_rejected",
      "agentrt_template_discovery_seconds",
      "agentrt_webhook_deliveries_total",
      "nodejs_eventloop_lag_seconds",
      "nodejs_heap_size_used_bytes",
      "nodejs_gc_duration_seconds",
      "process_resident_memory_bytes",
      "process_cpu_seconds_total",
    ])
      expect(families.has(name), name).toBe(true);

    for (const template of ["conversation", "task", "custom"]) {
      expect(sampleValue(families.get("agentrt_runs_started_total"), { template })).toBeGreaterThanOrEqual(1);
      expect(
        sampleValue(families.get("agentrt_runs_finished_total"), { template, status: "succeeded" }),
      ).toBeGreaterThanOrEqual(1);
    }
    // The parser folds labelled histograms together, so their counts are read from prom-client.
    const steps = await server.services.metrics.registry
      .getSingleMetric("agentrt_step_duration_seconds")!
      .get();
    const taskSteps = steps.values.find(
      (v) =>
        (v as { metricName?: string }).metricName === "agentrt_step_duration_seconds_count" &&
        v.labels.template === "task",
    );
    expect(taskSteps?.value).toBe(2);
    const tokens = families.get("agentrt_gen_ai_tokens_total");
    // Two chat runs and one llm step, each 7 in / 3 out.
    expect(sampleValue(tokens, { direction: "input", model: "fake-model" })).toBe(21);
    expect(sampleValue(tokens, { direction: "output", model: "fake-model" })).toBe(9);
    expect(tokens!.metrics.every((m) => m.labels?.agent === undefined)).toBe(true);
    expect(sampleValue(families.get("agentrt_webhook_deliveries_total"), { outcome: "delivered" })).toBe(1);
    expect(sampleValue(families.get("agentrt_sse_streams_active"), {})).toBe(0);
    const workers = families.get("agentrt_sandbox_workers")!;
    expect(
      sampleValue(workers, { state: "busy" }) + sampleValue(workers, { state: "idle" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families.get("agentrt_templates_loaded"), {})).toBeGreaterThanOrEqual(3);
    expect(
      sampleValue(families.get("agentrt_http_requests_total"), {
        method: "POST",
        route: "/v1/agents/:agent/runs",
        status: "200",
      }),
    ).toBeGreaterThanOrEqual(3);
  });

  it("counts an event stream while it is open", async () => {
    await createAgentOk(server, { name: "slow-echo", template: "echo", config: {} });
    const run = await server.call("POST", "/v1/agents/slow-echo/runs", {
      input: { sleepMs: 30_000 },
      mode: "background",
    });
    const active = async () =>
      sampleValue((await scrapeMetrics(server)).get("agentrt_sse_streams_active"), {});
    const follower = new AbortController();
    const stream = await server.api(`/v1/runs/${run.body.id}/events`, { signal: follower.signal });
    expect(stream.status).toBe(200);
    await vi.waitFor(async () => expect(await active()).toBe(1));
    follower.abort();
    await vi.waitFor(async () => expect(await active()).toBe(0));
    expect((await server.call("POST", `/v1/runs/${run.body.id}/cancel`)).body.status).toBe("cancelled");
  });

  it("keeps labels bounded: 200 agents and their runs add no series per agent or run", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const agent = await createAgentOk(server, {
        name: `echo-${i}`,
        template: "echo",
        config: { greeting: "hi" },
      });
      ids.add(agent.id);
      ids.add(agent.name);
      const run = await server.call("POST", `/v1/agents/${agent.id}/runs`, { input: String(i) });
      expect(run.body.status).toBe("succeeded");
      ids.add(run.body.id);
    }
    const families = await scrapeMetrics(server);
    let series = 0;
    for (const family of families.values()) {
      for (const sample of family.metrics) {
        series++;
        for (const [label, v] of Object.entries(sample.labels ?? {})) {
          expect(ids.has(v), `${family.name}{${label}="${v}"}`).toBe(false);
          expect(["run", "run_id", "runId", "agent", "agent_id", "path"]).not.toContain(label);
        }
      }
    }
    // Hundreds of agents and runs; the exposition stays the size of templates × statuses × routes.
    expect(series).toBeLessThan(400);
    expect(
      sampleValue(families.get("agentrt_runs_finished_total"), { template: "echo", status: "succeeded" }),
    ).toBe(200);
    // 400 requests one after another: minutes on a loaded machine, and no timing is asserted.
  }, 300_000);
});
