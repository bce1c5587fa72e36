import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  createAgent,
  createHooks,
  createMemoryLogger,
  registryOf,
  scriptTemplate,
  templateContext,
  until,
} from "../../test/engine-fixtures.js";
import { createMemoryStore } from "../memory-store.js";
import { createRunEngine, type RunEngine } from "./run-engine.js";
import { signWebhookBody } from "./webhooks.js";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real receiver on 127.0.0.1 that answers each request with the next status in `statuses`. */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses[received.length - 1] ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

async function setup(maxAttempts = 3) {
  const store = createMemoryStore();
  const hooks = createHooks();
  const template = scriptTemplate(hooks);
  const logger = createMemoryLogger();
  const engine: RunEngine = createRunEngine({
    store,
    registry: registryOf(template),
    context: templateContext(logger),
    logger,
    webhooks: { secret: "s3cret", maxAttempts, backoffMs: 5, timeoutMs: 2000 },
  });
  cleanups.push(() => engine.close());
  return { store, engine, agent: await createAgent(store, template, "hooked"), logger };
}

describe("webhooks", () => {
  it("posts a signed run summary and retries until a 2xx, recording every attempt", async () => {
    const { url, received } = await receiver([500, 500, 200]);
    const { store, engine, agent } = await setup();
    const { run } = await engine.submit({
      agent,
      input: { do: [{ output: { answer: 42 } }] },
      webhookUrl: url,
    });
    const done = await engine.wait(run.id);
    await until(
      async () => (await store.runs.get(run.id))!.webhookDeliveries.length === 3,
      "three deliveries",
    );

    expect(received).toHaveLength(3);
    for (const { headers, body } of received) {
      const expected = `sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`;
      expect(headers["x-agentrt-signature"]).toBe(expected);
      expect(Number(headers["x-agentrt-timestamp"])).toBeGreaterThan(1_700_000_000);
      expect(headers["content-type"]).toBe("application/json");
      expect(JSON.parse(body)).toEqual({
        id: run.id,
        agentId: agent.id,
        status: "succeeded",
        output: { answer: 42 },
        error: null,
        createdAt: done.createdAt,
        finishedAt: done.finishedAt,
      });
    }
    const deliveries = (await store.runs.get(run.id))!.webhookDeliveries;
    expect(deliveries.map((d) => [d.attempt, d.status, d.error])).toEqual([
      [1, 500, "HTTP 500"],
      [2, 500, "HTTP 500"],
      [3, 200, null],
    ]);
  });

  it("records network errors and gives up after maxAttempts", async () => {
    const { url } = await receiver([]);
    // Close the receiver first so the port refuses connections.
    await cleanups.pop()!();
    const { store, engine, agent, logger } = await setup(2);
    const { run } = await engine.submit({
      agent,
      input: { do: [{ fail: { message: "no" } }] },
      webhookUrl: url,
    });
    await engine.wait(run.id);
    await until(async () => (await store.runs.get(run.id))!.webhookDeliveries.length === 2, "two attempts");
    const deliveries = (await store.runs.get(run.id))!.webhookDeliveries;
    expect(deliveries.every((d) => d.status === null && typeof d.error === "string")).toBe(true);
    expect(logger.lines.filter((l) => l.message === "webhook delivery failed")).toHaveLength(2);
  });

  it("signs the exact body bytes", () => {
    expect(signWebhookBody("k", "{}")).toBe(`sha256=${createHmac("sha256", "k").update("{}").digest("hex")}`);
  });
});
