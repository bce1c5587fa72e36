import { ErrorCode } from "@agentrt/core";
import { createFakeModelServer, createTestRunContext, type FakeModelServer } from "@agentrt/testing";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import template from "../src/index.js";
import { createAgent, outputOf, run } from "./helpers.js";

let server: FakeModelServer;
beforeEach(async () => {
  server ??= await createFakeModelServer();
  server.reset();
});
afterAll(() => server?.close());

const config = (extra: Record<string, unknown> = {}) => ({
  model: "fake-model",
  baseUrl: server.url,
  maxRetries: 0,
  ...extra,
});
const schemaFormat = {
  type: "json_schema",
  json_schema: {
    name: "city",
    strict: true,
    schema: { type: "object", properties: { name: { type: "string" } } },
  },
};

describe("caller params", () => {
  it("forward the params the agent allows to the model, over the config's own settings", async () => {
    const agent = await createAgent(
      config({ temperature: 0.9, callerParams: { allow: ["temperature", "seed", "response_format"] } }),
    );
    server.enqueueReply('{"name":"Lyon"}');
    const events = await run(agent, {
      messages: [{ role: "user", content: "a city?" }],
      params: { temperature: 0.1, seed: 7, response_format: schemaFormat },
    });
    expect(outputOf(events)).toEqual({ role: "assistant", content: '{"name":"Lyon"}' });
    expect(server.requests[0]!.body).toMatchObject({
      temperature: 0.1,
      seed: 7,
      response_format: schemaFormat,
    });
  });

  it("refuse params the agent does not allow, at their input path", async () => {
    const agent = await createAgent(config({ callerParams: { allow: ["temperature"] } }));
    const ctx = createTestRunContext();
    const events = agent.run({ messages: [{ role: "user", content: "x" }], params: { top_p: 0.5 } }, ctx);
    await expect(events[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
      issues: [{ path: ["input", "params", "top_p"] }],
    });
    expect(server.requests).toHaveLength(0);
  });

  it("are described to the host from the agent's config, none allowed by default", () => {
    const policy = template.chat!.params!;
    // Caller tools are always taken, so they are not for `allow` to list.
    const tools = ["tools", "tool_choice", "parallel_tool_calls"];
    expect(policy(template.configSchema.parse(config()) as Record<string, unknown>)).toEqual({
      honoured: tools,
      otherwise: "ignore",
    });
    const strict = template.configSchema.parse(
      config({ callerParams: { allow: ["top_p"], otherwise: "refuse" } }),
    );
    expect(policy(strict as Record<string, unknown>)).toEqual({
      honoured: ["top_p", ...tools],
      otherwise: "refuse",
    });
    expect(template.configSchema.safeParse(config({ callerParams: { allow: ["tools"] } })).success).toBe(
      false,
    );
  });

  it("reach the input through the chat capability only when the host passes them", () => {
    const messages = [{ role: "user" as const, content: "hi" }];
    expect(template.chat!.toInput(messages, { threadId: undefined, params: { temperature: 0.2 } })).toEqual({
      messages,
      stateless: true,
      params: { temperature: 0.2 },
    });
    expect(template.chat!.toInput(messages, { threadId: "thr_1", params: {} })).toEqual({ messages });
  });
});
