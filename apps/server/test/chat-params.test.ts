// OpenAI request fields through /v1/chat/completions: each honoured, honoured when the agent allows
// it, ignored and named, or refused with a 400 naming it — never silently dropped.
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { CHAT_FIELDS } from "../src/routes/openai/chat-fields.js";
import {
  type ChatHarness,
  conversationConfig,
  createAgentOk,
  startChatHarness,
} from "./conversation-host.js";
import { ADMIN_KEY } from "./helpers.js";
import { apiError } from "./openai-client.js";

let harness: ChatHarness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startChatHarness();
  const { server, fake } = harness;
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });
  await createAgentOk(server, {
    name: "open",
    template: "conversation",
    config: conversationConfig(fake, {
      temperature: 0.9,
      callerParams: { allow: ["temperature", "response_format"] },
    }),
  });
  await createAgentOk(server, {
    name: "strict",
    template: "conversation",
    config: conversationConfig(fake, { callerParams: { allow: ["top_p"], otherwise: "refuse" } }),
  });
  await createAgentOk(server, { name: "echo", template: "echo", config: { greeting: "hi" } });
});
beforeEach(() => harness.fake.reset());
afterAll(() => harness.close());

const user = (content: string) => ({ role: "user" as const, content });
const City = z.object({ name: z.string(), population: z.number() });

describe("response_format", () => {
  it("reaches the model of an agent that allows it, and the SDK's parse() returns the object", async () => {
    harness.fake.enqueueReply('{"name":"Lyon","population":520000}');
    const completion = await client.chat.completions.parse({
      model: "open",
      messages: [user("a French city")],
      response_format: zodResponseFormat(City, "city"),
    });
    expect(completion.choices[0]!.message.parsed).toEqual({ name: "Lyon", population: 520000 });
    expect(harness.fake.requests[0]!.body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "city", strict: true },
    });
  });

  it("answers a reply that breaks the schema with an error, not a pass", async () => {
    harness.fake.enqueueReply('{"name":"Lyon"}');
    const error = await apiError(
      client.chat.completions.create({
        model: "open",
        messages: [user("a French city")],
        response_format: zodResponseFormat(City, "city"),
      }),
    );
    expect(error).toMatchObject({ status: 502, code: "output_format_mismatch" });
    expect(error.message).toMatch(/"city"/);
  });

  it("is refused, naming the field, by an agent that does not allow it", async () => {
    const error = await apiError(
      client.chat.completions.parse({
        model: "strict",
        messages: [user("a French city")],
        response_format: zodResponseFormat(City, "city"),
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "response_format", code: "unsupported_parameter" });
    expect(harness.fake.requests).toHaveLength(0);
  });

  it("checks the JSON output of an agent without the chat capability against the schema", async () => {
    const error = await apiError(
      client.chat.completions.create({
        model: "echo",
        messages: [user("x")],
        response_format: { type: "json_object" },
      }),
    );
    // The echo agent answers text, which is not the JSON object asked for.
    expect(error).toMatchObject({ status: 502, code: "output_format_mismatch" });
  });
});

describe("sampling overrides", () => {
  it("reach the model only when allowed; the header names the ones ignored", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "open", messages: [user("hi")], temperature: 0.1, top_p: 0.5, user: "u-1" })
      .withResponse();
    expect(data.choices[0]!.message.content).toBeTypeOf("string");
    expect(response.headers.get("x-agentrt-ignored-params")).toBe("user, top_p");
    const sent = harness.fake.requests[0]!.body;
    expect(sent.temperature).toBe(0.1);
    expect(sent).not.toHaveProperty("top_p");
    expect(sent).not.toHaveProperty("user");
  });

  it("keeps the agent's own settings when none is sent, and names nothing", async () => {
    const { response } = await client.chat.completions
      .create({ model: "open", messages: [user("hi")] })
      .withResponse();
    expect(response.headers.get("x-agentrt-ignored-params")).toBeNull();
    expect(harness.fake.requests[0]!.body.temperature).toBe(0.9);
  });

  it("are refused by an agent whose config says so", async () => {
    const error = await apiError(
      client.chat.completions.create({ model: "strict", messages: [user("hi")], temperature: 1 }),
    );
    expect(error).toMatchObject({ status: 400, param: "temperature", code: "unsupported_parameter" });
    expect(error.message).toMatch(/accepts: top_p/);
  });

  it("are validated with OpenAI's ranges before any agent sees them", async () => {
    const error = await apiError(
      client.chat.completions.create({ model: "open", messages: [user("hi")], temperature: 7 }),
    );
    expect(error).toMatchObject({ status: 400, param: "temperature" });
  });
});

describe("GET /v1/models", () => {
  it("says per agent which params callers may set", async () => {
    const models = await client.models.list();
    const byId = Object.fromEntries(
      models.data.map((m) => [m.id, (m as unknown as { agentrt: unknown }).agentrt]),
    );
    // Conversation agents always take caller tools.
    const tools = ["tools", "tool_choice", "parallel_tool_calls"];
    expect(byId.open).toEqual({
      template: "conversation",
      params: ["temperature", "response_format", ...tools],
      unsupported_params: "ignore",
    });
    expect(byId.strict).toEqual({
      template: "conversation",
      params: ["top_p", ...tools],
      unsupported_params: "refuse",
    });
    expect(byId.echo).toEqual({
      template: "echo",
      params: ["response_format"],
      unsupported_params: "ignore",
    });
  });
});

/** A value for each field of the table, in OpenAI's shape. */
const SAMPLES: Record<string, unknown> = {
  model: "echo",
  messages: [user("hi")],
  stream: false,
  stream_options: { include_usage: true },
  metadata: { note: "mine" },
  n: 2,
  store: false,
  temperature: 0.5,
  top_p: 0.5,
  max_tokens: 10,
  max_completion_tokens: 10,
  stop: ["\n"],
  seed: 1,
  frequency_penalty: 0.1,
  presence_penalty: 0.1,
  logit_bias: { "50256": -100 },
  reasoning_effort: "low",
  verbosity: "low",
  response_format: { type: "text" },
  user: "u",
  safety_identifier: "s",
  prompt_cache_key: "k",
  service_tier: "auto",
  parallel_tool_calls: true,
  tools: [{ type: "function", function: { name: "f", parameters: {} } }],
  tool_choice: "auto",
  functions: [{ name: "f", parameters: {} }],
  function_call: "auto",
  logprobs: true,
  top_logprobs: 2,
  modalities: ["text", "audio"],
  audio: { voice: "alloy", format: "mp3" },
  prediction: { type: "content", content: "x" },
  web_search_options: {},
};

describe("every request field has a defined outcome", () => {
  it("covers the whole table with a sample", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(CHAT_FIELDS).sort());
  });

  for (const [field, rule] of Object.entries(CHAT_FIELDS)) {
    it(`${field}: ${rule.outcome}`, async () => {
      const res = await harness.server.api("/v1/chat/completions", {
        method: "POST",
        body: JSON.stringify({ model: "echo", messages: [user("hi")], [field]: SAMPLES[field] }),
      });
      const body = (await res.json()) as { error?: unknown };
      const ignoredHeader = res.headers.get("x-agentrt-ignored-params") ?? "";
      // The echo agent (no chat capability) takes no caller tools, and a tool it can't offer is refused.
      if (rule.outcome === "refused" || field === "tools" || field === "tool_choice") {
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(body.error).toMatchObject({ param: field, code: "unsupported_parameter" });
        return;
      }
      expect(res.status, JSON.stringify(body)).toBe(200);
      // The echo agent (no chat capability) honours only an output format among the agent params.
      const named = rule.outcome === "ignored" || (rule.outcome === "agent" && field !== "response_format");
      if (field === "metadata") expect(ignoredHeader).toBe("metadata.note");
      else expect(ignoredHeader.split(", ").includes(field), ignoredHeader).toBe(named);
    });
  }

  it("refuses a field that is not in the table, naming it", async () => {
    const res = await harness.server.api("/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({ model: "echo", messages: [user("hi")], temperatur: 1 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({
      param: "temperatur",
      code: "unsupported_parameter",
    });
  });

  it("takes the fields' harmless values without naming them", async () => {
    const res = await harness.server.api("/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({
        model: "echo",
        messages: [user("hi")],
        n: 1,
        store: true,
        tools: [],
        tool_choice: "none",
        logprobs: false,
        modalities: ["text"],
        temperature: null,
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-agentrt-ignored-params")).toBeNull();
  });
});
