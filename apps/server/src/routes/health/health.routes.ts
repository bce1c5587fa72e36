import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonContent } from "../../lib/openapi.js";

export const HealthSchema = z.object({ status: z.literal("ok") }).openapi("Health");

export const ReadySchema = z
  .object({
    status: z.literal("ready"),
    store: z.string(),
    role: z.enum(["all", "api", "worker"]).openapi({
      description:
        "What this node does (AGENTRT_ROLE): accept and execute runs, only accept, or only execute",
    }),
    templates: z.object({ loaded: z.number().int(), rejected: z.number().int() }),
  })
  .openapi("Ready");

export const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Liveness: the process serves HTTP",
  responses: { 200: jsonContent(HealthSchema, "Alive") },
});

export const ready = createRoute({
  method: "get",
  path: "/ready",
  tags: ["Operations"],
  summary: "Readiness: the store answers and templates are loaded",
  responses: { 200: jsonContent(ReadySchema, "Ready to serve"), 503: errorResponses[503] },
});
