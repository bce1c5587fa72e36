import { z } from "@hono/zod-openapi";
import { AgentParams, defineApiRoute, errorResponses, jsonContent, pathParam } from "../../lib/openapi.js";

const UsageStatsSchema = z.object({
  runs: z.number().int().openapi({ description: "Runs that started and ended in the window" }),
  errors: z.number().int().openapi({ description: "Runs that failed (interrupted ones too) or timed out" }),
  errorRate: z.number().min(0).max(1).openapi({ description: "`errors / runs`; 0 without runs" }),
  p50Ms: z
    .number()
    .nullable()
    .openapi({ description: "Median run duration (ms, start to end, nearest rank); null without runs" }),
  p95Ms: z
    .number()
    .nullable()
    .openapi({ description: "95th percentile run duration (ms); null without runs" }),
});

const window = z.literal("PT1H").openapi({ description: "The window: the last hour (ISO 8601 duration)" });

const TemplateStatsSchema = z
  .object({
    name: z.string(),
    window,
    versions: z.array(UsageStatsSchema.extend({ version: z.string() })),
  })
  .openapi("TemplateStats");

const AgentStatsSchema = UsageStatsSchema.extend({
  agentId: z.string(),
  window,
}).openapi("AgentStats");

const scopeNote =
  "Read from the store's run records: every node of a cluster reports the same, and a restart loses nothing.";

export const templateStats = defineApiRoute({
  method: "get",
  path: "/v1/templates/{name}/stats",
  tags: ["Templates"],
  scope: "read",
  summary: "Health and usage of each installed version over the last hour",
  description: scopeNote,
  request: { params: pathParam("name", "Template name") },
  responses: { 200: jsonContent(TemplateStatsSchema, "Per-version statistics"), 404: errorResponses[404] },
});

export const agentStats = defineApiRoute({
  method: "get",
  path: "/v1/agents/{agent}/stats",
  tags: ["Agents"],
  scope: "read",
  summary: "Health and usage of one agent over the last hour",
  description: scopeNote,
  request: { params: AgentParams },
  responses: { 200: jsonContent(AgentStatsSchema, "The agent's statistics"), 404: errorResponses[404] },
});
