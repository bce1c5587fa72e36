import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono, type MiddlewareHandler } from "hono";
import type { AppServices } from "../../lib/services.js";
import type { AppEnv } from "../../lib/types.js";
import { createAgentServer } from "./agent-server.js";

/** JSON-RPC's answer to GET and DELETE: this endpoint keeps no sessions and no standalone streams. */
const METHOD_NOT_ALLOWED = {
  jsonrpc: "2.0",
  error: { code: -32000, message: "Method not allowed: this MCP endpoint is stateless, send POST" },
  id: null,
};

/**
 * `/mcp`: every agent as an MCP tool, over Streamable HTTP in the SDK's stateless mode (a server
 * and transport per request, no session), behind the same guards as the REST API: body limit,
 * Bearer API key (401 problem+json without one), JSON body.
 */
export function createMcpRoutes(services: AppServices, guards: MiddlewareHandler<AppEnv>[]) {
  const app = new Hono<AppEnv>();
  app.use("/mcp", ...guards);
  app.post("/mcp", async (c) => {
    const server = createAgentServer(services.runtime, c.get("apiKey"));
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    // The guards parsed and checked the body already; Hono caches it.
    return transport.handleRequest(c.req.raw, { parsedBody: await c.req.json() });
  });
  app.on(["GET", "DELETE"], "/mcp", (c) => c.json(METHOD_NOT_ALLOWED, 405, { allow: "POST" }));
  return app;
}
