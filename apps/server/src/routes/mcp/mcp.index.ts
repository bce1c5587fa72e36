import { OpenAPIHono, z } from "@hono/zod-openapi";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { MiddlewareHandler } from "hono";
import { hasBody } from "../../lib/json-body.js";
import { defineApiRoute, jsonBody, jsonContent } from "../../lib/openapi.js";
import { ProblemSchema } from "../../lib/problem.js";
import type { AppServices } from "../../lib/services.js";
import type { AppEnv } from "../../lib/types.js";
import { createAgentServer } from "./agent-server.js";

/** JSON-RPC's answer to GET and DELETE: this endpoint keeps no sessions and no standalone streams. */
const METHOD_NOT_ALLOWED = {
  jsonrpc: "2.0",
  error: { code: -32000, message: "Method not allowed: this MCP endpoint is stateless, send POST" },
  id: null,
};

const JsonRpcMessageSchema = z
  .looseObject({
    jsonrpc: z.literal("2.0"),
    id: z.union([z.string(), z.number().int()]).optional(),
    method: z.string().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("JsonRpcMessage", { description: "A JSON-RPC 2.0 request, notification or response" });

const jsonRpc = (description: string) => jsonContent(JsonRpcMessageSchema, description);

/**
 * Documented only: the SDK's transport reads and answers the body itself (JSON-RPC errors, not
 * problem+json, for malformed messages), so neither request validation nor the scope check (any
 * key's scopes include `read`) is attached.
 */
const { middleware: _, ...mcpRoute } = defineApiRoute({
  method: "post",
  path: "/mcp",
  tags: ["MCP"],
  // Any key may connect; `tools/list` shows only agents the key may invoke (none for a read key).
  scope: "read",
  summary: "Every agent as a Model Context Protocol tool (Streamable HTTP, stateless)",
  description: [
    "MCP's Streamable HTTP transport without sessions: `initialize`, `tools/list` (every active agent the key may invoke, with its template's input schema) and `tools/call` (runs the agent without a thread and answers with its reply).",
    "Send `Accept: application/json, text/event-stream`; answers are JSON, or an event stream when the call reports progress. `GET` and `DELETE` answer 405.",
  ].join("\n\n"),
  request: { body: jsonBody(z.union([JsonRpcMessageSchema, z.array(JsonRpcMessageSchema)])) },
  responses: {
    200: {
      description: "The JSON-RPC answer, as JSON or as an event stream of JSON-RPC messages",
      content: {
        "application/json": { schema: JsonRpcMessageSchema },
        "text/event-stream": { schema: z.string() },
      },
    },
    202: { description: "A notification or response was accepted; nothing to answer" },
    400: {
      description:
        "Malformed JSON (problem+json), or not a JSON-RPC message this stateless server takes (a JSON-RPC error)",
      content: {
        "application/problem+json": { schema: ProblemSchema },
        "application/json": { schema: JsonRpcMessageSchema },
      },
    },
    406: jsonRpc("The `Accept` header does not take both `application/json` and `text/event-stream`"),
  },
});

/**
 * `/mcp`: every agent as an MCP tool, over Streamable HTTP in the SDK's stateless mode (a server
 * and transport per request, no session), behind the same guards as the REST API: body limit,
 * Bearer API key (401 problem+json without one), JSON body.
 */
export function createMcpRoutes(services: AppServices, guards: MiddlewareHandler<AppEnv>[]) {
  const app = new OpenAPIHono<AppEnv>();
  app.use("/mcp", ...guards);
  app.openAPIRegistry.registerPath(mcpRoute);
  app.post("/mcp", async (c) => {
    const server = createAgentServer(services.runtime, c.get("apiKey"));
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    // The guards parsed and checked a body already (Hono caches it); the transport reads an empty
    // one itself and answers JSON-RPC's parse error.
    if (!hasBody(c.req.raw.headers)) return transport.handleRequest(c.req.raw);
    return transport.handleRequest(c.req.raw, { parsedBody: await c.req.json() });
  });
  app.on(["GET", "DELETE"], "/mcp", (c) => c.json(METHOD_NOT_ALLOWED, 405, { allow: "POST" }));
  return app;
}
