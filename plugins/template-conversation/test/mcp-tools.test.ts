import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TemplateEvent } from "@agentrt/core";
import {
  collectEvents,
  createFakeModelServer,
  createTestRunContext,
  type FakeModelServer,
} from "@agentrt/testing";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createAgent, createContext, outputOf } from "./helpers.js";

let model: FakeModelServer;
let mcp: Server;
let mcpUrl: string;
const mcpHeaders: IncomingHttpHeaders[] = [];

/** An MCP server made with the SDK, stateless over Streamable HTTP: `lookup`, `echo`, and `die` (drops the connection). */
function createToolServer(): McpServer {
  const server = new McpServer({ name: "test-tools", version: "1.0.0" });
  server.registerTool(
    "lookup",
    { description: "Looks a word up", inputSchema: { word: z.string() } },
    async ({ word }) => ({ content: [{ type: "text", text: `${word}: a small bird` }] }),
  );
  server.registerTool(
    "echo",
    { description: "Echoes", inputSchema: { text: z.string() } },
    async ({ text }) => ({
      content: [{ type: "text", text }],
    }),
  );
  server.registerTool("die", { description: "The server dies mid-call" }, async () => {
    mcp.closeAllConnections();
    return new Promise(() => {});
  });
  return server;
}

beforeAll(async () => {
  model = await createFakeModelServer();
  mcp = createServer(async (req, res) => {
    mcpHeaders.push(req.headers);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await createToolServer().connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => mcp.listen(0, "127.0.0.1", resolve));
  mcpUrl = `http://127.0.0.1:${(mcp.address() as AddressInfo).port}/mcp`;
});
beforeEach(() => {
  model.reset();
  mcpHeaders.length = 0;
});
afterAll(async () => {
  await model.close();
  mcp.closeAllConnections();
  await new Promise((resolve) => mcp.close(resolve));
});

const settings = (extra: Record<string, unknown> = {}) => ({
  mcpServers: {
    dictionary: { url: mcpUrl, headers: { authorization: { env: "MCP_TOKEN" } }, ...extra },
  },
});
const context = (extra: Record<string, unknown> = {}) =>
  createContext({ env: { OPENAI_API_KEY: "sk", MCP_TOKEN: "Bearer mcp-secret" }, settings: settings(extra) });
const config = (tool: Record<string, unknown> = {}) => ({
  model: "fake-model",
  baseUrl: model.url,
  maxRetries: 0,
  tools: [{ type: "mcp", server: "dictionary", ...tool }],
});
const toolNames = (index: number) =>
  model.requests[index]!.body.tools.map((tool: { function: { name: string } }) => tool.function.name);
const results = (events: TemplateEvent[]) => events.filter((event) => event.type === "tool.result");

describe("mcp tools from an operator-configured server", () => {
  it("offers the server's tools to the model and runs a call over MCP, with the configured headers", async () => {
    const agent = await createAgent(config(), context());
    model.enqueueReply(
      { toolCalls: [{ id: "c1", name: "lookup", arguments: { word: "wren" } }] },
      "A wren is a small bird.",
    );
    const events = await collectEvents(agent.run("What is a wren?", createTestRunContext()));
    expect(toolNames(0)).toEqual(["lookup", "echo", "die"]);
    expect(model.requests[0]!.body.tools[0].function).toMatchObject({
      name: "lookup",
      description: "Looks a word up",
      parameters: { type: "object", properties: { word: { type: "string" } } },
    });
    expect(results(events)).toEqual([
      { type: "tool.result", callId: "c1", name: "lookup", ok: true, result: "wren: a small bird" },
    ]);
    expect(outputOf(events)).toEqual({ role: "assistant", content: "A wren is a small bird." });
    expect(mcpHeaders.every((headers) => headers.authorization === "Bearer mcp-secret")).toBe(true);
  });

  it("offers only the tools both the operator's and the agent's allow-lists name", async () => {
    const agent = await createAgent(
      config({ tools: ["lookup", "die"] }),
      context({ tools: ["lookup", "echo"] }),
    );
    await collectEvents(agent.run("hi", createTestRunContext()));
    expect(toolNames(0)).toEqual(["lookup"]);
  });

  it("refuses a config naming a server the operator did not configure", async () => {
    await expect(createAgent(config({ server: "elsewhere" }), context())).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      issues: [expect.objectContaining({ path: ["tools", 0, "server"] })],
    });
    // The config schema has no place for a URL.
    await expect(createAgent(config({ url: mcpUrl }), context())).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });

  it("an MCP server that dies mid-call: the model gets an error result, the next run reconnects", async () => {
    const agent = await createAgent(config(), context());
    model.enqueueReply({ toolCalls: [{ id: "c1", name: "die", arguments: {} }] }, "The tool failed.");
    const events = await collectEvents(agent.run("die", createTestRunContext()));
    expect(results(events)).toEqual([
      expect.objectContaining({ ok: false, result: expect.stringMatching(/^error: /) }),
    ]);
    expect(outputOf(events)).toEqual({ role: "assistant", content: "The tool failed." });
    model.enqueueReply({ toolCalls: [{ id: "c2", name: "echo", arguments: { text: "back" } }] }, "ok");
    const again = await collectEvents(agent.run("echo", createTestRunContext()));
    expect(results(again)).toEqual([expect.objectContaining({ ok: true, result: "back" })]);
  });

  it("fails the run with UPSTREAM_ERROR when the server can't be reached", async () => {
    const gone = createContext({
      env: { OPENAI_API_KEY: "sk", MCP_TOKEN: "t" },
      settings: { mcpServers: { dictionary: { url: "http://127.0.0.1:9/mcp", headers: {} } } },
    });
    const agent = await createAgent(config(), gone);
    await expect(collectEvents(agent.run("hi", createTestRunContext()))).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      details: { mcpServer: "dictionary" },
    });
    expect(model.requests).toHaveLength(0);
  });
});
