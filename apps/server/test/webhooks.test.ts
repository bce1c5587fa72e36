import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseEnv } from "../src/env.js";
import { startTestServer, type TestServer } from "./helpers.js";

/** A receiver on 127.0.0.1 standing in for an internal admin service or a cluster webhook receiver. */
let receiver: Server;
let port = 0;
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
/** Refuses internal webhook targets, as every server does by default. */
let closed: TestServer;
/** Allows exactly the receiver's address. */
let allowing: TestServer;
let invokeKey = "";

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  port = (receiver.address() as AddressInfo).port;
  closed = await startTestServer({ AGENTRT_WEBHOOK_SECRET: "s3cret" });
  allowing = await startTestServer({
    AGENTRT_WEBHOOK_SECRET: "s3cret",
    AGENTRT_WEBHOOK_ALLOW_INTERNAL: "127.0.0.1",
  });
  for (const server of [closed, allowing]) {
    await server.call("POST", "/v1/agents", { name: "echo", template: "echo", config: { greeting: "hi" } });
  }
  invokeKey = (await closed.call("POST", "/v1/api-keys", { name: "invoker", scopes: ["invoke"] })).body.key;
});

afterAll(async () => {
  await closed?.stop();
  await allowing?.stop();
  receiver.closeAllConnections();
  receiver.close();
});

describe("run webhooks under the egress policy", () => {
  it.each([
    ["loopback", "http://127.0.0.1:{port}/internal-admin", "127.0.0.1 is not allowed (loopback)"],
    ["IPv6 loopback", "http://[::1]:{port}/x", "::1 is not allowed (loopback)"],
    ["IPv4-mapped loopback", "http://[::ffff:127.0.0.1]:{port}/x", "::ffff:7f00:1 is not allowed (loopback)"],
    ["decimal loopback", "http://2130706433:{port}/x", "127.0.0.1 is not allowed (loopback)"],
    ["hex loopback", "http://0x7f.1:{port}/x", "127.0.0.1 is not allowed (loopback)"],
    ["octal loopback", "http://017700000001:{port}/x", "127.0.0.1 is not allowed (loopback)"],
    [
      "cloud metadata",
      "http://169.254.169.254/latest/meta-data/",
      "169.254.169.254 is not allowed (link-local)",
    ],
    ["private", "http://10.0.0.7/hook", "10.0.0.7 is not allowed (private)"],
    ["localhost", "http://localhost:{port}/x", "localhost resolves to a restricted address (loopback)"],
  ])("refuses a %s webhook URL from an invoke key with 422", async (_, template, message) => {
    const res = await closed.call(
      "POST",
      "/v1/agents/echo/runs",
      { input: "x", webhookUrl: template.replace("{port}", String(port)), mode: "background" },
      invokeKey,
    );
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      code: "VALIDATION_FAILED",
      errors: [{ path: ["webhookUrl"], message: `refused by the egress policy (address): ${message}` }],
    });
    expect(received).toHaveLength(0);
  });

  it("refuses an internal webhook URL on a schedule", async () => {
    const res = await closed.call("POST", "/v1/schedules", {
      agent: "echo",
      cron: "0 0 1 1 *",
      webhookUrl: `http://127.0.0.1:${port}/internal-admin`,
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        path: ["webhookUrl"],
        message: "refused by the egress policy (address): 127.0.0.1 is not allowed (loopback)",
      },
    ]);
  });

  it("delivers to the receiver the operator allow-listed, and only to it", async () => {
    const res = await allowing.call("POST", "/v1/agents/echo/runs", {
      input: "there",
      webhookUrl: `http://127.0.0.1:${port}/hook`,
    });
    expect(res.status).toBe(200);
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toMatchObject({
      path: "/hook",
      headers: { "webhook-signature": expect.stringMatching(/^v1,/) },
    });
    await expect
      .poll(async () => (await allowing.call("GET", `/v1/runs/${res.body.id}`)).body.webhookDeliveries)
      .toEqual([{ attempt: 1, at: expect.any(String), status: 200, error: null }]);
    const other = await allowing.call("POST", "/v1/agents/echo/runs", {
      input: "x",
      webhookUrl: `http://[::1]:${port}/hook`,
    });
    expect(other.status).toBe(422);
  });

  it("refuses a bad allow-list entry at start-up", () => {
    expect(() => parseEnv({ AGENTRT_WEBHOOK_ALLOW_INTERNAL: "127.0.0.1, hooks.internal:8080" })).toThrow(
      /AGENTRT_WEBHOOK_ALLOW_INTERNAL: "hooks.internal:8080" is not a host name/,
    );
    expect(
      parseEnv({ AGENTRT_WEBHOOK_ALLOW_INTERNAL: "10.0.0.0/8, hooks.internal fd00::/8" })
        .webhookAllowInternal,
    ).toEqual(["10.0.0.0/8", "hooks.internal", "fd00::/8"]);
  });
});

describe("Standard Webhooks deliveries", () => {
  const verifier = new Webhook("s3cret", { format: "raw" });
  const deliveryFor = (runId: string) => received.find((r) => r.headers["webhook-id"] === runId);

  it("the standardwebhooks verifier accepts every delivery; each names its type, thread and schedule", async () => {
    const thread = await allowing.call("POST", "/v1/threads", { agent: "echo" });
    const onThread = await allowing.call("POST", "/v1/agents/echo/runs", {
      input: "t",
      threadId: thread.body.id,
      webhookUrl: `http://127.0.0.1:${port}/thread`,
    });
    const schedule = await allowing.call("POST", "/v1/schedules", {
      agent: "echo",
      cron: "* * * * * *",
      input: "s",
      webhookUrl: `http://127.0.0.1:${port}/schedule`,
    });
    await expect.poll(() => received.some((r) => r.path === "/schedule"), { timeout: 10_000 }).toBe(true);
    await allowing.call("DELETE", `/v1/schedules/${schedule.body.id}`);
    await expect.poll(() => deliveryFor(onThread.body.id)).toBeDefined();

    const fromThread = verifier.verify(
      deliveryFor(onThread.body.id)!.body,
      deliveryFor(onThread.body.id)!.headers as Record<string, string>,
    );
    expect(fromThread).toMatchObject({
      type: "run.finished",
      timestamp: expect.any(String),
      data: { id: onThread.body.id, threadId: thread.body.id, scheduleId: null, status: "succeeded" },
    });
    const scheduled = received.find((r) => r.path === "/schedule")!;
    expect(verifier.verify(scheduled.body, scheduled.headers as Record<string, string>)).toMatchObject({
      type: "run.finished",
      data: { scheduleId: schedule.body.id, threadId: null, status: "succeeded" },
    });
    for (const delivery of received)
      verifier.verify(delivery.body, delivery.headers as Record<string, string>);
  });

  it("the verifier rejects a delivery replayed later or altered", async () => {
    const res = await allowing.call("POST", "/v1/agents/echo/runs", {
      input: "r",
      webhookUrl: `http://127.0.0.1:${port}/replay`,
    });
    await expect.poll(() => deliveryFor(res.body.id)).toBeDefined();
    const { body, headers } = deliveryFor(res.body.id)!;
    const wire = headers as Record<string, string>;
    expect(() => verifier.verify(body.replace('"succeeded"', '"failed"'), wire)).toThrow(
      WebhookVerificationError,
    );
    expect(() => verifier.verify(body, { ...wire, "webhook-id": "run_other" })).toThrow(
      WebhookVerificationError,
    );
    // The same bytes sent again ten minutes later: the signed timestamp is outside the tolerance.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 10 * 60_000);
      expect(() => verifier.verify(body, wire)).toThrow(WebhookVerificationError);
    } finally {
      vi.useRealTimers();
    }
  });

  it("is documented as OpenAPI 3.1 webhooks", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the document is read as plain JSON
    const doc = (await (await allowing.api("/openapi.json")).json()) as any;
    const hook = doc.webhooks?.["run.finished"]?.post;
    expect(hook).toBeDefined();
    expect(hook.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      "webhook-id",
      "webhook-signature",
      "webhook-timestamp",
    ]);
    expect(hook.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/RunFinishedWebhook",
    });
  });
});
