import { ErrorCode } from "@agentrt/core";
import { createEgressPolicy, type EgressPolicy, type ResolvedAddress } from "@agentrt/egress";
import {
  collectEvents,
  createFakeModelServer,
  createTestRunContext,
  type FakeModelServer,
} from "@agentrt/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskConfig } from "../src/config-schema.js";
import { TaskConfigSchema } from "../src/config-schema.js";
import { createTaskPlan } from "../src/create-task-agent.js";
import { runTask } from "../src/run-task.js";
import { createAgent } from "./create-agent.js";
import { finishedOf } from "./events.js";
import { sendJson, startUpstreamServer, type UpstreamServer } from "./upstream-server.js";

/**
 * Host names that resolve to internal addresses, through the egress policy's resolver seam (a
 * private DNS as the operator's network would have one): the real policy, real HTTP, a fake DNS.
 */
const DNS: Record<string, ResolvedAddress[]> = {
  "private.example.test": [{ address: "10.0.0.7", family: 4 }],
  "home.example.test": [{ address: "192.168.1.10", family: 4 }],
  "metadata.example.test": [{ address: "169.254.169.254", family: 4 }],
  "loopback.example.test": [{ address: "127.0.0.1", family: 4 }],
  "v6-internal.example.test": [{ address: "fd12::1", family: 6 }],
  // One public and one private answer: the name is refused, whichever the client would pick.
  "mixed.example.test": [
    { address: "93.184.215.14", family: 4 },
    { address: "10.1.2.3", family: 4 },
  ],
  // The operator's one internal service, allowed by name below.
  "allowed.example.test": [{ address: "127.0.0.1", family: 4 }],
};

let upstream: UpstreamServer;
let model: FakeModelServer;
let port = "";
const policies: EgressPolicy[] = [];

beforeAll(async () => {
  upstream = await startUpstreamServer((req, res) => {
    const url = new URL(req.path, "http://x");
    if (url.pathname.startsWith("/hop")) {
      const to = url.searchParams.get("to") ?? `http://private.example.test:${port}/internal`;
      return void res.writeHead(307, { location: to }).end();
    }
    sendJson(res, 200, { reached: url.pathname });
  });
  port = new URL(upstream.url).port;
  model = await createFakeModelServer();
});

afterAll(async () => {
  for (const policy of policies) policy.close();
  await upstream.close();
  await model.close();
});

/** Runs one step under a policy whose resolver is `DNS`, allowing `allowed.example.test`. */
async function runStep(step: Record<string, unknown>, input: unknown = {}) {
  const policy = createEgressPolicy({
    allow: ["allowed.example.test"],
    resolve: async (host) => DNS[host] ?? [],
  });
  policies.push(policy);
  const config = TaskConfigSchema.parse({ strictMode: false, steps: [{ id: "s", ...step }] }) as TaskConfig;
  const plan = createTaskPlan(config, { env: { KEY: "k" }, services: {} }, policy.fetch);
  return finishedOf(await collectEvents(runTask(plan, input, createTestRunContext())), "s");
}

const httpStep = (url: string) => ({ kind: "http", url });
const llmStep = (baseUrl: string) => ({
  kind: "llm",
  model: "fake-model",
  baseUrl,
  apiKey: { env: "KEY" },
  prompt: "hi",
});

describe("host names resolving to internal addresses", () => {
  it.each([
    ["private (10/8)", "private.example.test", "(private)"],
    ["private (192.168/16)", "home.example.test", "(private)"],
    ["cloud metadata", "metadata.example.test", "(link-local)"],
    ["loopback", "loopback.example.test", "(loopback)"],
    ["IPv6 unique-local", "v6-internal.example.test", "(unique-local)"],
    ["public and private at once", "mixed.example.test", "(private)"],
  ])("refuses an http step to a name resolving to %s", async (_, host, range) => {
    const before = upstream.requests.length;
    const event = await runStep(httpStep(`http://${host}:${port}/x`));
    expect(event.error).toMatchObject({
      code: "task.URL_NOT_ALLOWED",
      message: expect.stringContaining(`${host} resolves to a restricted address ${range}`),
    });
    expect(upstream.requests.length).toBe(before);
  });

  it.each([
    ["private", "private.example.test"],
    ["cloud metadata", "metadata.example.test"],
    ["IPv6 unique-local", "v6-internal.example.test"],
  ])("refuses an llm step whose model host resolves to %s", async (_, host) => {
    const before = model.requests.length;
    const event = await runStep(llmStep(`http://${host}:${new URL(model.url).port}/v1`));
    expect(event.error?.code).toBe("task.URL_NOT_ALLOWED");
    expect(model.requests.length).toBe(before);
  });

  it("lets the operator's allowed name through, for http and llm steps", async () => {
    expect(await runStep(httpStep(`http://allowed.example.test:${port}/ok`))).toMatchObject({
      status: "succeeded",
      output: { reached: "/ok" },
    });
    model.enqueueReply({ content: "from the allowed model" });
    const llm = await runStep(llmStep(`http://allowed.example.test:${new URL(model.url).port}/v1`));
    expect(llm).toMatchObject({ status: "succeeded", output: "from the allowed model" });
  });
});

describe("redirects", () => {
  it.each([
    ["a name resolving to a private address", (p: string) => `http://private.example.test:${p}/internal`],
    ["a loopback literal", (p: string) => `http://127.0.0.1:${p}/internal`],
    ["cloud metadata", () => "http://169.254.169.254/latest/meta-data/"],
  ])("an http step's redirect from an allowed host to %s is refused", async (_, to) => {
    const before = upstream.requests.length;
    const event = await runStep(
      httpStep(`http://allowed.example.test:${port}/hop?to=${encodeURIComponent(to(port))}`),
    );
    expect(event.error?.code).toBe("task.URL_NOT_ALLOWED");
    expect(upstream.requests.slice(before).map((r) => r.path.split("?")[0])).toEqual(["/hop"]);
  });

  it("an llm step's redirect from an allowed host to an internal one is refused", async () => {
    const before = upstream.requests.length;
    // Without `to`, /hop answers 307 to a name that resolves to 10.0.0.7.
    const event = await runStep(llmStep(`http://allowed.example.test:${port}/hop/v1`));
    expect(event.error?.code).toBe("task.URL_NOT_ALLOWED");
    expect(upstream.requests.slice(before).map((r) => r.path)).toEqual(["/hop/v1/chat/completions"]);
  });
});

describe("static checks when the agent is created", () => {
  it.each([
    ["ftp://files.example.com/report.csv", "(scheme)"],
    ["file:///etc/passwd", "(scheme)"],
    ["javascript:alert(1)", "(scheme)"],
    ["not a url", "(invalid)"],
  ])("refuses a literal http step URL %s with its field path", async (url, reason) => {
    await expect(createAgent({ steps: [{ id: "get", kind: "http", url }] })).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [
        {
          path: ["steps", 0, "url"],
          message: expect.stringContaining(`refused by the egress policy ${reason}`),
        },
      ],
    });
  });

  it("checks the fixed origin of a URL whose path and query are templated", async () => {
    await expect(
      createAgent({ steps: [{ id: "get", kind: "http", url: "http://169.254.169.254/{{input.path}}" }] }),
    ).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [{ path: ["steps", 0, "url"], message: expect.stringContaining("(link-local)") }],
    });
  });

  it("leaves a URL rendered from the input to run time", async () => {
    await expect(
      createAgent({ steps: [{ id: "get", kind: "http", url: "{{input.url}}" }] }),
    ).resolves.toBeDefined();
  });

  it("refuses an agent step naming an agent the host does not have, at its field path", async () => {
    const agents = { exists: async (name: string) => name === "summariser", describe: async () => undefined };
    const steps = [
      { id: "a", kind: "agent", agent: "summariser" },
      { id: "b", kind: "agent", agent: "ghost" },
    ];
    await expect(createAgent({ steps }, {}, { agents })).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [{ path: ["steps", 1, "agent"], message: 'no agent "ghost" exists (create it first)' }],
    });
    await expect(createAgent({ steps: [steps[0]] }, {}, { agents })).resolves.toBeDefined();
    // A name rendered from the input is only known when the step runs.
    await expect(
      createAgent({ steps: [{ id: "c", kind: "agent", agent: "{{input.agent}}" }] }, {}, { agents }),
    ).resolves.toBeDefined();
  });
});
