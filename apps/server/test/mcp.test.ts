import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ChatHarness,
  conversationConfig,
  createAgentOk,
  startChatHarness,
} from "./conversation-host.js";
import { ADMIN_KEY } from "./helpers.js";

let harness: ChatHarness;
let readKey: string;
const clients: Client[] = [];

beforeAll(async () => {
  harness = await startChatHarness();
  const { server, fake } = harness;
  await createAgentOk(server, {
    name: "chat",
    description: "Answers questions",
    template: "conversation",
    config: conversationConfig(fake),
  });
  await createAgentOk(server, { name: "echo", template: "echo", config: { greeting: "hi" } });
  await createAgentOk(server, { name: "napping", template: "echo" });
  await server.call("POST", "/v1/agents/napping/pause");
  readKey = (await server.call("POST", "/v1/api-keys", { name: "reader", scopes: ["read"] })).body.key;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  harness.fake.reset();
});
afterAll(() => harness.close());

async function connect(key: string | null): Promise<Client> {
  const headers: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
  const transport = new StreamableHTTPClientTransport(new URL(`${harness.server.url}/mcp`), {
    requestInit: { headers },
  });
  const client = new Client({ name: "agentrt-test", version: "1.0.0" });
  clients.push(client);
  await client.connect(transport);
  return client;
}

describe("/mcp: agents as MCP tools", () => {
  it("lists the active agents a key may invoke, with description and input schema", async () => {
    const client = await connect(ADMIN_KEY);
    expect(client.getServerVersion()?.name).toBe("agentrt");
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["chat", "echo"]);
    const chat = tools.find((tool) => tool.name === "chat")!;
    expect(chat.description).toBe("Answers questions");
    // The conversation template's input schema, as JSON Schema.
    expect(chat.inputSchema).toMatchObject({ type: "object", properties: { messages: { type: "array" } } });
    // A template without an input schema takes anything, as the `input` argument.
    expect(tools.find((tool) => tool.name === "echo")!.inputSchema).toMatchObject({
      type: "object",
      required: ["input"],
    });
  });

  it("calls a conversation agent and returns its reply", async () => {
    const client = await connect(ADMIN_KEY);
    harness.fake.enqueueReply("Paris.");
    const result = await client.callTool({
      name: "chat",
      arguments: { messages: [{ role: "user", content: "Capital of France?" }] },
    });
    expect(result).toEqual({ content: [{ type: "text", text: "Paris." }] });
    expect(harness.fake.requests[0]!.body.messages).toEqual([
      { role: "user", content: "Capital of France?" },
    ]);
  });

  it("sends run events as progress notifications when asked", async () => {
    const client = await connect(ADMIN_KEY);
    const progress: Progress[] = [];
    const result = await client.callTool({ name: "echo", arguments: { input: "ping" } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    expect(result).toEqual({ content: [{ type: "text", text: "hi ping" }] });
    expect(progress).toEqual([
      { progress: 1, message: "run started" },
      { progress: 1, total: 1, message: "1 of 1" },
    ]);
  });

  it("answers a failed run or refused input as a tool error with the code", async () => {
    const client = await connect(ADMIN_KEY);
    const failed = await client.callTool({ name: "echo", arguments: { input: { fail: true } } });
    expect(failed).toEqual({
      isError: true,
      content: [{ type: "text", text: "echo.STEP_FAILED: asked to fail" }],
    });
    const refused = await client.callTool({ name: "chat", arguments: { messages: [] } });
    expect(refused.isError).toBe(true);
    expect((refused.content as { text: string }[])[0]!.text).toMatch(/^VALIDATION_FAILED: /);
  });

  it("refuses unknown and paused agents as unknown tools", async () => {
    const client = await connect(ADMIN_KEY);
    await expect(client.callTool({ name: "nobody", arguments: {} })).rejects.toThrow(/Unknown tool: nobody/);
    await expect(client.callTool({ name: "napping", arguments: { input: "x" } })).rejects.toThrow(
      /Unknown tool: napping/,
    );
  });

  it("shows a key without invoke scope no tools, and lets it call none", async () => {
    const runs = async () => (await harness.server.call("GET", "/v1/runs?agent=echo")).body.data.length;
    const before = await runs();
    const client = await connect(readKey);
    expect((await client.listTools()).tools).toEqual([]);
    await expect(client.callTool({ name: "echo", arguments: { input: "x" } })).rejects.toThrow(
      /Unknown tool: echo/,
    );
    expect(await runs()).toBe(before);
  });

  it("answers 401 without a key, to a raw request and to the SDK client", async () => {
    const res = await fetch(`${harness.server.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    await expect(connect(null)).rejects.toThrow();
    await expect(connect("art_wrong")).rejects.toThrow();
  });

  it("answers an empty POST with JSON-RPC's parse error, not a server error", async () => {
    const res = await harness.server.api("/mcp", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await (await harness.server.api("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { "x-required-scope"?: string }>>;
    };
    expect(doc.paths["/mcp"]?.post?.["x-required-scope"]).toBe("read");
  });

  it("keeps no sessions: GET and DELETE are 405", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await harness.server.api("/mcp", { method });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
    }
  });
});
