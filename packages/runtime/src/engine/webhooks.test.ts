import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type AgentrtError, isAgentrtError } from "@agentrt/core";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
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
import { createWebhookSigner, type WebhookOptions, webhookHeaders } from "./webhooks.js";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A real receiver on 127.0.0.1 that answers each request with the next status in `statuses`,
 * after `beforeAnswer` (if given) has run.
 */
async function receiver(
  statuses: number[],
  beforeAnswer?: (received: Received) => Promise<void>,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", async () => {
      const request = { headers: req.headers, body };
      received.push(request);
      await beforeAnswer?.(request);
      res.statusCode = statuses[received.length - 1] ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/** The receivers run on 127.0.0.1, so the tests allow exactly that internal address. */
async function setup(maxAttempts = 3, webhooks: Partial<WebhookOptions> = { allowInternal: ["127.0.0.1"] }) {
  const store = createMemoryStore();
  const hooks = createHooks();
  const template = scriptTemplate(hooks);
  const logger = createMemoryLogger();
  const engine: RunEngine = createRunEngine({
    store,
    registry: registryOf(template),
    context: templateContext(logger),
    logger,
    webhooks: { secret: "s3cret", maxAttempts, backoffMs: 5, timeoutMs: 2000, ...webhooks },
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
    const verifier = new Webhook("s3cret", { format: "raw" });
    for (const { headers, body } of received) {
      expect(headers["content-type"]).toBe("application/json");
      // The id is the same on every attempt, so receivers can drop a retry they already handled.
      expect(headers["webhook-id"]).toBe(run.id);
      expect(verifier.verify(body, headers as Record<string, string>)).toEqual({
        type: "run.finished",
        timestamp: done.finishedAt,
        data: {
          id: run.id,
          agentId: agent.id,
          threadId: null,
          scheduleId: null,
          status: "succeeded",
          output: { answer: 42 },
          error: null,
          createdAt: done.createdAt,
          finishedAt: done.finishedAt,
        },
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
    // The outcome class only: no "connect ECONNREFUSED 127.0.0.1:<port>" for the caller to read.
    expect(deliveries.map((d) => d.error)).toEqual(["connection failed", "connection failed"]);
    const failures = logger.lines.filter((l) => l.message === "webhook delivery failed");
    expect(failures).toHaveLength(2);
    expect(JSON.stringify(failures[0])).toMatch(/ECONNREFUSED/); // the operator's log keeps the detail
  });

  it("ends delivery quietly when the run is deleted while its webhook is out", async () => {
    let deleteRun: (id: string) => Promise<unknown> = async () => {};
    // The run is deleted while the receiver holds the first attempt; it then answers 500.
    const { url, received } = await receiver([500, 500, 500], ({ headers }) =>
      deleteRun(String(headers["webhook-id"])).then(() => {}),
    );
    const { store, engine, agent, logger } = await setup(3);
    deleteRun = (id) => store.retention.deleteRun(id, "deleted");
    const { run } = await engine.submit({ agent, input: { do: [{ output: 1 }] }, webhookUrl: url });
    await engine.wait(run.id);
    await until(
      async () => logger.lines.some((l) => l.message === "webhook delivery stopped: the run was deleted"),
      "delivery stopped",
    );
    const stopped = logger.lines.find((l) => l.message.startsWith("webhook delivery stopped"))!;
    expect(stopped).toMatchObject({ level: "info", data: { runId: run.id, attempt: 1 } });
    // No retry for a run that is gone, and nothing logged as a crash or an error.
    expect(received).toHaveLength(1);
    expect(logger.lines.filter((l) => l.level === "error")).toEqual([]);
    expect(await store.runs.get(run.id)).toBeUndefined();
  });

  it("signs id.timestamp.body: the standardwebhooks verifier rejects a replayed or altered delivery", () => {
    const body = JSON.stringify({ type: "run.finished", data: { id: "run_1" } });
    for (const secret of ["s3cret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]) {
      const verifier = secret.startsWith("whsec_")
        ? new Webhook(secret)
        : new Webhook(secret, { format: "raw" });
      const headers = webhookHeaders(createWebhookSigner(secret), "run_1", body);
      expect(verifier.verify(body, headers)).toEqual(JSON.parse(body));
      const replayed = webhookHeaders(
        createWebhookSigner(secret),
        "run_1",
        body,
        new Date(Date.now() - 600_000),
      );
      expect(() => verifier.verify(body, replayed)).toThrow(WebhookVerificationError);
      expect(() => verifier.verify(body.replace("run_1", "run_2"), headers)).toThrow(
        WebhookVerificationError,
      );
      expect(() => verifier.verify(body, { ...headers, "webhook-id": "run_2" })).toThrow(
        WebhookVerificationError,
      );
      expect(() =>
        verifier.verify(body, {
          ...headers,
          "webhook-timestamp": String(Number(headers["webhook-timestamp"]) + 1),
        }),
      ).toThrow(WebhookVerificationError);
    }
  });

  describe("egress policy", () => {
    async function refusal(promise: Promise<unknown>): Promise<AgentrtError> {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!isAgentrtError(error)) throw new Error(`expected an AgentrtError, got ${String(error)}`);
      return error;
    }

    it.each([
      ["loopback", "http://127.0.0.1:{port}/internal-admin", /127\.0\.0\.1 is not allowed \(loopback\)/],
      ["IPv6 loopback", "http://[::1]:{port}/x", /::1 is not allowed \(loopback\)/],
      ["IPv4-mapped loopback", "http://[::ffff:127.0.0.1]:{port}/x", /\(loopback\)/],
      ["IPv4-compatible loopback", "http://[::127.0.0.1]:{port}/x", /\(unspecified or IPv4-compatible\)/],
      ["decimal loopback", "http://2130706433:{port}/x", /127\.0\.0\.1 is not allowed \(loopback\)/],
      ["hex loopback", "http://0x7f.1:{port}/x", /127\.0\.0\.1 is not allowed \(loopback\)/],
      ["octal loopback", "http://017700000001:{port}/x", /127\.0\.0\.1 is not allowed \(loopback\)/],
      ["cloud metadata", "http://169.254.169.254/latest/meta-data/", /\(link-local\)/],
      ["IPv6 cloud metadata", "http://[fd00:ec2::254]/latest/meta-data/", /\(unique-local\)/],
      ["private", "http://10.0.0.7/", /\(private\)/],
      ["private 172.16/12", "http://172.16.5.4/", /\(private\)/],
      ["private 192.168/16", "https://192.168.1.20/", /\(private\)/],
      ["unique-local", "http://[fd12::1]/", /\(unique-local\)/],
      ["link-local IPv6", "http://[fe80::1]/", /\(link-local\)/],
      ["carrier-grade NAT", "http://100.64.0.1/", /\(shared \(carrier-grade NAT\)\)/],
      ["multicast", "http://224.0.0.1/", /\(multicast\)/],
      ["unspecified", "http://0.0.0.0:{port}/", /\(unspecified\)/],
      ["a non-http scheme", "ftp://example.com/x", /only http and https/],
    ])("refuses a %s webhook URL when the run is submitted", async (_, template, reason) => {
      const { url: receiverUrl, received } = await receiver([]);
      const port = new URL(receiverUrl).port;
      const { store, engine, agent } = await setup(3, {});
      const error = await refusal(
        engine.submit({ agent, input: { do: [] }, webhookUrl: template.replace("{port}", port) }),
      );
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.issues).toEqual([{ path: ["webhookUrl"], message: expect.stringMatching(reason) }]);
      expect(error.issues?.[0]?.message).toMatch(/^refused by the egress policy \((address|scheme)\)/);
      expect((await store.runs.list({ limit: 10 })).items).toHaveLength(0);
      expect(received).toHaveLength(0);
    });

    it("refuses names that resolve to loopback, without saying what they resolve to", async () => {
      const { engine, agent } = await setup(3, {
        resolve: async (host) => {
          if (host === "hooks.test") return [{ address: "127.0.0.1", family: 4 }];
          throw new Error(`ENOTFOUND ${host}`);
        },
      });
      const named = await refusal(
        engine.submit({ agent, input: { do: [] }, webhookUrl: "http://hooks.test/x" }),
      );
      expect(named.issues?.[0]).toEqual({
        path: ["webhookUrl"],
        message:
          "refused by the egress policy (address): hooks.test resolves to a restricted address (loopback)",
      });
      expect(named.details).toEqual({ rule: "address", range: "loopback" });
      // A name that does not resolve now is accepted: delivery resolves (and checks) it again.
      const { run } = await engine.submit({ agent, input: { do: [] }, webhookUrl: "http://later.test/x" });
      expect(run.webhookUrl).toBe("http://later.test/x");
    });

    it("refuses localhost through the system resolver", async () => {
      const { engine, agent } = await setup(3, {});
      const error = await refusal(
        engine.submit({ agent, input: { do: [] }, webhookUrl: "http://localhost/x" }),
      );
      expect(error.issues?.[0]?.message).toMatch(/localhost resolves to a restricted address \(loopback\)/);
      expect(error.issues?.[0]?.message).not.toMatch(/127\.0\.0\.1|::1/);
    });

    it("checks again at delivery: a name that rebinds to loopback is refused, once, without retries", async () => {
      const { url, received } = await receiver([]);
      let lookups = 0;
      const { store, engine, agent } = await setup(3, {
        resolve: async () => [{ address: lookups++ === 0 ? "93.184.216.34" : "127.0.0.1", family: 4 }],
      });
      const { run } = await engine.submit({
        agent,
        input: { do: [{ output: 1 }] },
        webhookUrl: `http://rebind.test:${new URL(url).port}/hook`,
      });
      await engine.wait(run.id);
      await until(async () => (await store.runs.get(run.id))!.webhookDeliveries.length === 1, "one attempt");
      await new Promise((resolve) => setTimeout(resolve, 50)); // no retry follows
      const deliveries = (await store.runs.get(run.id))!.webhookDeliveries;
      expect(deliveries.map((d) => [d.attempt, d.status, d.error])).toEqual([
        [1, null, "refused by the egress policy"],
      ]);
      expect(received).toHaveLength(0);
    });

    it("lets one allow-listed internal receiver through by name, and never follows its redirects", async () => {
      const internal = await receiver([]);
      const redirecting = createServer((_req, res) => {
        res.writeHead(307, { location: internal.url.replace("/hook", "/internal-admin") }).end();
      });
      await new Promise<void>((resolve) => redirecting.listen(0, "127.0.0.1", resolve));
      cleanups.push(() => new Promise((resolve) => redirecting.close(() => resolve())));
      const { store, engine, agent } = await setup(1, {
        allowInternal: ["hooks.test"],
        resolve: async () => [{ address: "127.0.0.1", family: 4 }],
      });
      const port = (redirecting.address() as AddressInfo).port;
      const { run } = await engine.submit({
        agent,
        input: { do: [{ output: 1 }] },
        webhookUrl: `http://hooks.test:${port}/hook`,
      });
      await engine.wait(run.id);
      await until(async () => (await store.runs.get(run.id))!.webhookDeliveries.length === 1, "one attempt");
      const deliveries = (await store.runs.get(run.id))!.webhookDeliveries;
      expect(deliveries.map((d) => [d.status, d.error])).toEqual([[307, "HTTP 307"]]);
      expect(internal.received).toHaveLength(0);
      // The allow-listed name does not open other internal addresses.
      const error = await refusal(
        engine.submit({
          agent,
          input: { do: [] },
          webhookUrl: internal.url.replace("/hook", "/internal-admin"),
        }),
      );
      expect(error.issues?.[0]?.message).toMatch(/\(loopback\)/);
    });

    it("records a timed-out attempt by its class", async () => {
      const hanging = createServer(() => {});
      await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
      cleanups.push(async () => {
        hanging.closeAllConnections();
        await new Promise((resolve) => hanging.close(() => resolve(undefined)));
      });
      const { store, engine, agent } = await setup(1, { allowInternal: ["127.0.0.1"], timeoutMs: 100 });
      const { run } = await engine.submit({
        agent,
        input: { do: [{ output: 1 }] },
        webhookUrl: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook`,
      });
      await engine.wait(run.id);
      await until(async () => (await store.runs.get(run.id))!.webhookDeliveries.length === 1, "one attempt");
      expect((await store.runs.get(run.id))!.webhookDeliveries[0]).toMatchObject({
        status: null,
        error: "timed out",
      });
    });

    it("checks webhook URLs in checkWebhookUrl, and refuses them when webhooks are off", async () => {
      const { engine } = await setup(3, {});
      await expect(engine.checkWebhookUrl("https://8.8.8.8/hook")).resolves.toBeUndefined();
      expect((await refusal(engine.checkWebhookUrl("http://[::1]/"))).issues?.[0]?.path).toEqual([
        "webhookUrl",
      ]);
      const store = createMemoryStore();
      const logger = createMemoryLogger();
      const bare = createRunEngine({
        store,
        registry: registryOf(scriptTemplate(createHooks())),
        context: templateContext(logger),
        logger,
      });
      cleanups.push(() => bare.close());
      expect((await refusal(bare.checkWebhookUrl("https://8.8.8.8/"))).issues?.[0]?.path).toEqual([
        "webhook",
      ]);
    });
  });
});
