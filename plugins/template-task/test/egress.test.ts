import { ErrorCode } from "@agentrt/core";
import {
  collectEvents,
  createFakeModelServer,
  createTestRunContext,
  type FakeModelServer,
} from "@agentrt/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgent } from "./create-agent.js";
import { finishedOf } from "./events.js";
import { sendJson, startUpstreamServer, type UpstreamServer } from "./upstream-server.js";

/** A service on 127.0.0.1 standing in for anything internal: an admin API, a metadata endpoint. */
let upstream: UpstreamServer;
let model: FakeModelServer;
let port = "";

beforeAll(async () => {
  upstream = await startUpstreamServer((req, res) => {
    const url = new URL(req.path, "http://x");
    if (url.pathname === "/redirect") {
      return void res.writeHead(302, { location: url.searchParams.get("to") ?? "/" }).end();
    }
    sendJson(res, 200, { secret: "internal" });
  });
  port = new URL(upstream.url).port;
  model = await createFakeModelServer();
});

afterAll(async () => {
  await upstream.close();
  await model.close();
});

/** Runs one templated http step (`{{input.url}}`), as a caller with an invoke key could. */
async function callUrl(url: string, settings: Record<string, unknown> = {}) {
  const agent = await createAgent(
    { strictMode: false, steps: [{ id: "call", kind: "http", url: "{{input.url}}" }] },
    {},
    {},
    settings,
  );
  return finishedOf(await collectEvents(agent.run({ url }, createTestRunContext())), "call");
}

describe("http steps under the egress policy", () => {
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
    ["IPv6 cloud metadata", "http://[fd00:ec2::254]/latest/", "fd00:ec2::254 is not allowed (unique-local)"],
    ["private", "http://10.0.0.7/", "10.0.0.7 is not allowed (private)"],
    ["carrier-grade NAT", "http://100.64.0.1/", "100.64.0.1 is not allowed (shared (carrier-grade NAT))"],
    ["multicast", "http://224.0.0.1/", "224.0.0.1 is not allowed (multicast)"],
    ["unspecified", "http://0.0.0.0:{port}/", "0.0.0.0 is not allowed (unspecified)"],
    ["localhost", "http://localhost:{port}/x", "localhost resolves to a restricted address (loopback)"],
  ])("refuses a %s URL chosen by the caller, without retrying or connecting", async (_, template, reason) => {
    const before = upstream.requests.length;
    const event = await callUrl(template.replace("{port}", port));
    expect(event).toMatchObject({
      status: "failed",
      attempts: 1,
      error: {
        code: "task.URL_NOT_ALLOWED",
        message: expect.stringContaining(`refused by the egress policy: ${reason}`),
        details: { rule: "address", retryable: false },
      },
    });
    expect(upstream.requests.length).toBe(before);
  });

  it("lets the one internal service the operator allows through", async () => {
    const event = await callUrl(`${upstream.url}/allowed`, { allowInternal: ["127.0.0.1"] });
    expect(event).toMatchObject({ status: "succeeded", output: { secret: "internal" } });
    const other = await callUrl("http://10.0.0.7/", { allowInternal: ["127.0.0.1"] });
    expect(other.error?.code).toBe("task.URL_NOT_ALLOWED");
  });

  it("refuses a redirect from an allowed host to loopback", async () => {
    // `localhost` is allowed by name; the redirect names 127.0.0.1 itself, which is not.
    const before = upstream.requests.length;
    const target = `http://127.0.0.1:${port}/internal-admin`;
    const event = await callUrl(`http://localhost:${port}/redirect?to=${encodeURIComponent(target)}`, {
      allowInternal: ["localhost"],
    });
    expect(event.error).toMatchObject({
      code: "task.URL_NOT_ALLOWED",
      message: expect.stringContaining("127.0.0.1 is not allowed (loopback)"),
    });
    expect(upstream.requests.slice(before).map((r) => r.path.split("?")[0])).toEqual(["/redirect"]);
  });

  it("refuses a fixed internal URL when the agent is created", async () => {
    await expect(
      createAgent({ steps: [{ id: "meta", kind: "http", url: "http://169.254.169.254/latest/meta-data/" }] }),
    ).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [
        {
          path: ["steps", 0, "url"],
          message: "refused by the egress policy (address): 169.254.169.254 is not allowed (link-local)",
        },
      ],
    });
  });

  it("refuses bad operator settings", async () => {
    await expect(callUrl(upstream.url, { allowInternal: ["10.0.0.0/40"] })).rejects.toMatchObject({
      code: ErrorCode.INTERNAL,
    });
  });
});

describe("llm steps under the egress policy", () => {
  const llm = (baseUrl: string) => ({ id: "ask", kind: "llm", model: "fake-model", baseUrl, prompt: "hi" });

  it("refuses an internal model URL at create time unless the operator allows it", async () => {
    await expect(createAgent({ steps: [llm(model.url)] })).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [{ path: ["steps", 0, "baseUrl"], message: expect.stringMatching(/\(loopback\)$/) }],
    });
    model.enqueueReply({ content: "allowed" });
    const agent = await createAgent({ steps: [llm(model.url)] }, {}, {}, { allowInternal: ["127.0.0.1"] });
    const events = await collectEvents(agent.run({}, createTestRunContext()));
    expect(finishedOf(events, "ask")).toMatchObject({ status: "succeeded", output: "allowed" });
  });

  it("refuses a model host name that resolves to loopback when the step runs", async () => {
    const before = model.requests.length;
    const agent = await createAgent({
      strictMode: false,
      steps: [llm(`http://localhost:${new URL(model.url).port}/v1`)],
    });
    const event = finishedOf(await collectEvents(agent.run({}, createTestRunContext())), "ask");
    expect(event.error).toMatchObject({
      code: "task.URL_NOT_ALLOWED",
      message: expect.stringContaining("localhost resolves to a restricted address (loopback)"),
    });
    expect(model.requests.length).toBe(before);
  });
});
