import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type ChatHarness,
  conversationConfig,
  createAgentOk,
  startChatHarness,
} from "./conversation-host.js";
import { ADMIN_KEY } from "./helpers.js";
import { readSse } from "./sse.js";

let harness: ChatHarness;
let mcp: Server;
let api: Server;

/** A plain HTTP API for the http tool: the moon's size, at `/size/moon`. */
async function startApi(): Promise<string> {
  api = createServer((req, res) => {
    if (req.url !== "/size/moon") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end('{"radiusKm":1737}');
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(api.address() as AddressInfo).port}/size`;
}

/** An MCP server made with the SDK (stateless Streamable HTTP) with one tool, `distance`. */
async function startMcpServer(): Promise<string> {
  mcp = createServer(async (req, res) => {
    const server = new McpServer({ name: "astro", version: "1.0.0" });
    server.registerTool(
      "distance",
      { description: "Distance to a body in km", inputSchema: { body: z.string() } },
      async ({ body }) => ({ content: [{ type: "text", text: `${body}: 384400 km` }] }),
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => mcp.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(mcp.address() as AddressInfo).port}/mcp`;
}

beforeAll(async () => {
  const mcpUrl = await startMcpServer();
  const apiUrl = await startApi();
  harness = await startChatHarness({
    AGENTRT_TEMPLATE_SETTINGS: JSON.stringify({
      conversation: { mcpServers: { astro: { url: mcpUrl } }, allowInternal: ["127.0.0.1"] },
    }),
  });
  const { server, fake } = harness;
  await createAgentOk(server, { name: "researcher", template: "echo", config: { greeting: "found:" } });
  await createAgentOk(server, {
    name: "assistant",
    template: "conversation",
    config: conversationConfig(fake, {
      tools: [{ type: "agent", name: "research", description: "Finds facts", agent: "researcher" }],
      maxToolRounds: 2,
    }),
  });
  await createAgentOk(server, {
    name: "astronomer",
    template: "conversation",
    config: conversationConfig(fake, {
      tools: [
        { type: "agent", name: "research", description: "Finds facts", agent: "researcher" },
        { type: "mcp", server: "astro" },
        // A request template: the model's `body` argument is the last path segment.
        {
          type: "http",
          name: "size",
          description: "Size of a body",
          method: "GET",
          url: `${apiUrl}/{{args.body}}`,
        },
      ],
    }),
  });
});
beforeEach(() => harness.fake.reset());
afterAll(async () => {
  await harness.close();
  for (const server of [mcp, api]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const callResearch = () =>
  harness.fake.enqueueReply({ toolCalls: [{ id: "c1", name: "research", arguments: { input: "moon" } }] });

describe("a conversation agent with an agent tool, on a real server", () => {
  it("calls the other agent through the host; tool.call and tool.result are in the SSE stream and the journal", async () => {
    callResearch();
    harness.fake.enqueueReply("The researcher found the moon.");
    const res = await harness.server.api("/v1/agents/assistant/runs", {
      method: "POST",
      body: JSON.stringify({ input: "Where is the moon?", mode: "stream" }),
    });
    const streamed = await readSse(res);
    const tools = streamed.filter((event) => event.event.startsWith("tool."));
    expect(tools.map((event) => event.data)).toEqual([
      { type: "tool.call", callId: "c1", name: "research", arguments: '{"input":"moon"}' },
      { type: "tool.result", callId: "c1", name: "research", ok: true, result: "found: moon" },
    ]);
    expect(streamed.at(-1)?.data).toMatchObject({
      status: "succeeded",
      output: { role: "assistant", content: "The researcher found the moon." },
    });
    const runId = res.headers.get("x-agentrt-run-id")!;
    const journal = await readSse(await harness.server.api(`/v1/runs/${runId}/events`));
    expect(journal.filter((event) => event.event.startsWith("tool.")).map((event) => event.data)).toEqual(
      tools.map((event) => event.data),
    );
    // The tool's run is a run of the researcher agent.
    const researcherRuns = await harness.server.call("GET", "/v1/runs?agent=researcher");
    expect(researcherRuns.body.data[0]).toMatchObject({ status: "succeeded", output: "found: moon" });
  });

  it("answers over /v1/chat/completions after running the tool; a model calling tools forever fails coded", async () => {
    const client = new OpenAI({ baseURL: `${harness.server.url}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });
    callResearch();
    harness.fake.enqueueReply("Found it.");
    const completion = await client.chat.completions.create({
      model: "assistant",
      messages: [{ role: "user", content: "Where is the moon?" }],
    });
    expect(completion.choices[0]).toMatchObject({ message: { content: "Found it." }, finish_reason: "stop" });

    for (let i = 0; i < 3; i++) callResearch();
    const failure = await client.chat.completions
      .create({ model: "assistant", messages: [{ role: "user", content: "loop" }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    // The run's own failure: 422 with x-should-retry false, so the SDK does not run it again.
    expect(failure).toMatchObject({ status: 422, code: "conversation.tool_rounds_exceeded" });
  });
});

describe("an agent tool takes the called agent's input schema from the host", () => {
  it("offers a conversation agent's input schema as the tool's parameters, and the call runs that agent", async () => {
    const { server, fake } = harness;
    await createAgentOk(server, {
      name: "helper",
      description: "Answers questions",
      template: "conversation",
      config: conversationConfig(fake),
    });
    await createAgentOk(server, {
      name: "delegator",
      template: "conversation",
      config: conversationConfig(fake, {
        tools: [{ type: "agent", name: "ask_helper", description: "Asks the helper", agent: "helper" }],
      }),
    });
    const args = { messages: [{ role: "user", content: "What is 2+2?" }] };
    fake.enqueueReply(
      { toolCalls: [{ id: "c1", name: "ask_helper", arguments: args }] },
      "4",
      "The helper says 4.",
    );
    const { status, body } = await server.call("POST", "/v1/agents/delegator/runs", {
      input: "Ask the helper",
    });
    expect(status).toBe(200);
    expect(body.output).toMatchObject({ content: "The helper says 4." });
    // The conversation template's input schema, as the host describes it (the same as /mcp lists).
    const parameters = fake.requests[0]!.body.tools[0].function.parameters;
    expect(parameters).toMatchObject({ type: "object", properties: { messages: { type: "array" } } });
    expect(parameters.$schema).toBeUndefined();
    // The helper ran with the model's arguments as its input.
    expect(fake.requests[1]!.body.messages).toEqual([{ role: "user", content: "What is 2+2?" }]);
    const helperRuns = await server.call("GET", "/v1/runs?agent=helper");
    expect(helperRuns.body.data[0]).toMatchObject({ status: "succeeded", input: args });
  });
});

describe("an agent tool, an http tool and an MCP tool in one agent, on a thread", () => {
  it("answers a question that needs all three; the events show each call; the next turn sees the results", async () => {
    const thread = (await harness.server.call("POST", "/v1/threads", { agent: "astronomer" })).body
      .id as string;
    harness.fake.enqueueReply(
      {
        toolCalls: [
          { id: "a", name: "research", arguments: { input: "nearest body" } },
          { id: "m", name: "distance", arguments: { body: "moon" } },
          { id: "h", name: "size", arguments: { body: "moon" } },
        ],
      },
      "The moon is 384400 km away.",
      "I looked it up with two tools.",
    );
    const res = await harness.server.api("/v1/agents/astronomer/runs", {
      method: "POST",
      body: JSON.stringify({ input: "How far is the nearest body?", threadId: thread, mode: "stream" }),
    });
    const events = await readSse(res);
    expect(events.filter((event) => event.event === "tool.result").map((event) => event.data)).toEqual([
      { type: "tool.result", callId: "a", name: "research", ok: true, result: "found: nearest body" },
      { type: "tool.result", callId: "m", name: "distance", ok: true, result: "moon: 384400 km" },
      { type: "tool.result", callId: "h", name: "size", ok: true, result: '{"radiusKm":1737}' },
    ]);
    expect(events.filter((event) => event.event === "tool.call").map((event) => event.data.name)).toEqual([
      "research",
      "distance",
      "size",
    ]);
    expect(events.at(-1)?.data).toMatchObject({ output: { content: "The moon is 384400 km away." } });
    // Every tool was offered: the agent's own, then the MCP server's.
    expect(
      harness.fake.requests[0]!.body.tools.map((t: { function: { name: string } }) => t.function.name),
    ).toEqual(["research", "size", "distance"]);

    await harness.server.call("POST", "/v1/agents/astronomer/runs", {
      input: "How did you know?",
      threadId: thread,
    });
    const seen = harness.fake.requests[2]!.body.messages.map(
      (m: { role: string; content: string }) => m.content,
    );
    expect(seen).toContain("found: nearest body");
    expect(seen).toContain("moon: 384400 km");
    expect(seen).toContain('{"radiusKm":1737}');
  });
});

describe("an http tool's request template", () => {
  it("is refused at create with 422 at its field when a placeholder would set the host", async () => {
    const res = await harness.server.call("POST", "/v1/agents", {
      name: "hostile-template",
      template: "conversation",
      config: conversationConfig(harness.fake, {
        tools: [{ type: "http", name: "get", description: "Get", url: "http://{{args.host}}/x" }],
      }),
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      code: "CONFIG_INVALID",
      errors: [
        {
          path: ["config", "tools", 0, "url"],
          message: expect.stringContaining("placeholders may stand only in the path and query"),
        },
      ],
    });
  });
});
