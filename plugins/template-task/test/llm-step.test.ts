import { ErrorCode } from "@agentrt/core";
import { createEgressPolicy } from "@agentrt/egress";
import {
  collectEvents,
  createFakeModelServer,
  createTestRunContext,
  createTestTemplateContext,
  type FakeModelServer,
  validateConfig,
} from "@agentrt/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TaskConfigSchema } from "../src/config-schema.js";
import { createTaskPlan } from "../src/create-task-agent.js";
import template from "../src/index.js";
import { runTask } from "../src/run-task.js";
import { createAgent as createAgentWith } from "./create-agent.js";
import { collectUntilError, finishedOf, outputOf } from "./events.js";
import { sendJson, startUpstreamServer } from "./upstream-server.js";

/** The test servers listen on 127.0.0.1: the operator setting allows exactly that internal address. */
const LOOPBACK_SETTINGS = { allowInternal: ["127.0.0.1"] };
const createAgent = (
  config: unknown,
  env: Record<string, string | undefined> = {},
  services: Parameters<typeof createAgentWith>[2] = {},
) => createAgentWith(config, env, services, LOOPBACK_SETTINGS);

let model: FakeModelServer;

beforeAll(async () => {
  model = await createFakeModelServer();
});
beforeEach(() => model.reset());
afterAll(() => model.close());

const llm = (extra: Record<string, unknown> = {}) => ({
  id: "ask",
  kind: "llm",
  model: "fake-model",
  baseUrl: model.url,
  prompt: "Summarise {{steps.data.output.text}} for {{input.user}}",
  ...extra,
});
const data = { id: "data", kind: "transform", map: { text: "input.text" } };

describe("llm step", () => {
  it("sends the templated prompt to /chat/completions and outputs the reply, with usage", async () => {
    model.enqueueReply({ content: "A short summary.", usage: { prompt_tokens: 12, completion_tokens: 4 } });
    const agent = await createAgent(
      {
        steps: [
          data,
          llm({
            apiKey: { env: "FAKE_KEY" },
            systemPrompt: "You help {{input.user}}.",
            temperature: 0.2,
            maxTokens: 50,
          }),
        ],
      },
      { FAKE_KEY: "sk-test" },
    );
    const events = await collectEvents(
      agent.run({ user: "Ada", text: "the report" }, createTestRunContext()),
    );
    expect(finishedOf(events, "ask")).toMatchObject({ status: "succeeded", output: "A short summary." });
    expect(events).toContainEqual({
      type: "usage",
      promptTokens: 12,
      completionTokens: 4,
      model: "fake-model",
    });
    expect(outputOf(events)).toMatchObject({ ask: "A short summary." });

    const [request] = model.requests;
    expect(request!.method).toBe("POST");
    expect(request!.path).toBe("/v1/chat/completions");
    expect(request!.headers.authorization).toBe("Bearer sk-test");
    expect(request!.body).toEqual({
      model: "fake-model",
      messages: [
        { role: "system", content: "You help Ada." },
        { role: "user", content: "Summarise the report for Ada" },
      ],
      temperature: 0.2,
      max_tokens: 50,
      stream: false,
    });
  });

  it("sends no authorization header without apiKey and tolerates a trailing slash", async () => {
    const agent = await createAgent({
      outputFormat: "last",
      steps: [data, llm({ baseUrl: `${model.url}/` })],
    });
    const events = await collectEvents(agent.run({ user: "Bo", text: "x" }, createTestRunContext()));
    expect(outputOf(events)).toBe("echo: Summarise x for Bo");
    expect(model.requests[0]!.path).toBe("/v1/chat/completions");
    expect(model.requests[0]!.headers.authorization).toBeUndefined();
  });

  it("retries a 500 from the model and gives up at once on a 401", async () => {
    model.failNext(500);
    const retried = await createAgent({ retryCount: 1, retryBackoffMs: 0, steps: [data, llm()] });
    const events = await collectEvents(retried.run({}, createTestRunContext()));
    expect(finishedOf(events, "ask")).toMatchObject({ status: "succeeded", attempts: 2 });

    model.failNext(401);
    const unauthorized = await createAgent({ retryCount: 3, strictMode: false, steps: [data, llm()] });
    const failed = await collectEvents(unauthorized.run({}, createTestRunContext()));
    expect(finishedOf(failed, "ask")).toMatchObject({
      status: "failed",
      attempts: 1,
      error: { code: ErrorCode.UPSTREAM_ERROR },
    });
  });

  it("fails with UPSTREAM_ERROR when the reply is not a chat completion", async () => {
    const other = await startUpstreamServer((_req, res) => sendJson(res, 200, { choices: [] }));
    try {
      const agent = await createAgent({
        strictMode: false,
        steps: [llm({ baseUrl: other.url, prompt: "hi" })],
      });
      const events = await collectEvents(agent.run({}, createTestRunContext()));
      expect(finishedOf(events, "ask").error).toEqual({
        code: ErrorCode.UPSTREAM_ERROR,
        message: "the model's response has no assistant message content",
        details: { retryable: false },
      });
    } finally {
      await other.close();
    }
  });

  it("reads a { secret } key from the host's secret store for every request", async () => {
    const secrets = new Map([["provider", "sk-first"]]);
    const agent = await createAgent(
      { retryCount: 0, steps: [llm({ apiKey: { secret: "provider" }, prompt: "hi" })] },
      {},
      { secrets: { get: async (name: string) => secrets.get(name) } },
    );
    await collectEvents(agent.run({}, createTestRunContext()));
    secrets.set("provider", "sk-rotated");
    await collectEvents(agent.run({}, createTestRunContext()));
    expect(model.requests.map((request) => request.headers.authorization)).toEqual([
      "Bearer sk-first",
      "Bearer sk-rotated",
    ]);
  });

  it.each([
    [{ env: "MISSING_KEY" }, {}, "env", "environment variable MISSING_KEY is not set on the server"],
    [
      { secret: "nope" },
      { secrets: { get: () => undefined } },
      "secret",
      'secret "nope" does not exist on the server',
    ],
    [
      { secret: "nope" },
      {},
      "secret",
      'this server has no secret store; reference the key with { "env": "VAR_NAME" } instead',
    ],
  ])(
    "reports an unresolvable key %j at create time, at the step's path",
    async (apiKey, services, field, message) => {
      const config = { steps: [data, llm({ apiKey })] };
      const ctx = {
        ...createTestTemplateContext({ env: { OTHER: "x" }, services, settings: LOOPBACK_SETTINGS }),
        phase: "create" as const,
      };
      await expect(validateConfig(template, config, ctx)).rejects.toMatchObject({
        code: ErrorCode.CONFIG_INVALID,
        issues: [{ path: ["steps", 1, "apiKey", field], message }],
      });
    },
  );

  it("fails the step without calling the model when the key is gone at run time", async () => {
    const config = TaskConfigSchema.parse({
      strictMode: false,
      steps: [llm({ apiKey: { env: "GONE" }, prompt: "hi" })],
    });
    const plan = createTaskPlan(config, { env: {}, services: {} }, createEgressPolicy().fetch);
    const events = await collectEvents(runTask(plan, {}, createTestRunContext()));
    expect(finishedOf(events, "ask")).toMatchObject({
      status: "failed",
      error: { code: "task.STEP_FAILED", message: "environment variable GONE is not set on the server" },
    });
    expect(model.requests).toHaveLength(0);
  });

  it("aborts the model request when the run is cancelled", async () => {
    model.setLatency(30_000);
    const agent = await createAgent({ steps: [llm({ prompt: "slow" })] });
    const runCtx = createTestRunContext();
    const outcome = collectUntilError(agent.run({}, runCtx));
    await model.waitForRequests(1);
    runCtx.controller.abort(new Error("cancelled"));
    expect(((await outcome).error as Error).message).toBe("cancelled");
    expect((await model.waitForAbort(0, 1000)).aborted).toBe(true);
  });
});
