import { RetentionOverrideSchema } from "@agentrt/runtime";
import { z } from "@hono/zod-openapi";
import {
  AgentParams,
  bodyErrors,
  defineActionRoute,
  defineApiRoute,
  errorResponses,
  jsonBody,
  jsonContent,
  PageQuerySchema,
  pageOf,
} from "../../lib/openapi.js";

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

export const AgentNameSchema = z
  .string()
  .regex(NAME, "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
  .refine((n) => !n.startsWith("agt_"), "names starting with agt_ are reserved for ids")
  .openapi({ example: "support-bot" });

export const ConfigSchema = z.record(z.string(), z.unknown()).openapi("AgentConfig", {
  description:
    "Validated by the template's config schema: see /v1/templates/{name}/versions/{version}/schema",
});

const limitsDescription =
  "Quotas checked when a run is submitted; one that is reached refuses the run with 429 `RATE_LIMITED` and `Retry-After`";

const limit = (what: string, max: number) =>
  z
    .number()
    .int()
    .min(1)
    .max(max)
    .nullable()
    .optional()
    .openapi({ description: `${what}; \`null\` removes the limit` });

export const AgentLimitsSetSchema = z
  .strictObject({
    maxConcurrentRuns: limit("Runs of the agent queued or running at once", 10_000),
    maxRunsPerMinute: limit("Runs accepted per minute", 1_000_000),
    maxTokensPerDay: limit("Model tokens (prompt + completion) per UTC day, from the runs' usage", 1e12),
  })
  .openapi("AgentLimitsChange", {
    description: `${limitsDescription}. Fields given replace the agent's, the others stay.`,
  });

export const AgentLimitsViewSchema = z
  .object({
    maxConcurrentRuns: z.number().int().nullable(),
    maxRunsPerMinute: z.number().int().nullable(),
    maxTokensPerDay: z.number().int().nullable(),
  })
  .openapi("AgentLimits", { description: `${limitsDescription}; \`null\`: no limit.` });

export const AgentSchema = z
  .object({
    id: z.string().openapi({ example: "agt_01jx3k9w2a7f0000000000000000" }),
    name: z.string(),
    description: z.string().nullable(),
    template: z.object({
      name: z.string(),
      version: z.string().openapi({ description: "The resolved version this revision runs on" }),
      range: z.string().openapi({ description: "The range the agent was created with" }),
    }),
    config: ConfigSchema,
    revision: z.number().int(),
    status: z.enum(["active", "paused"]),
    retention: RetentionOverrideSchema.nullable(),
    limits: AgentLimitsViewSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Agent");

/** An agent's own retention rules: a field left out follows the server's policy, `null` turns it off. */
const RetentionField = RetentionOverrideSchema.nullable().optional();

export const RevisionSchema = z
  .object({
    revision: z.number().int(),
    templateVersion: z.string(),
    config: ConfigSchema,
    createdAt: z.string(),
  })
  .openapi("AgentRevision");

export const CreateAgentSchema = z
  .strictObject({
    name: AgentNameSchema,
    description: z.string().max(2000).nullable().optional(),
    template: z.string().min(1).max(200).openapi({
      description: "Template name, optionally pinned: `task`, `task@^1`, `task@1.2.0`",
      example: "task",
    }),
    config: ConfigSchema.optional(),
    retention: RetentionField,
    limits: AgentLimitsSetSchema.optional(),
  })
  .openapi("CreateAgent");

export const UpdateAgentSchema = z
  .strictObject({
    name: AgentNameSchema.optional(),
    description: z.string().max(2000).nullable().optional(),
    config: ConfigSchema.optional().openapi({
      description: "The complete new config (replaces the old one)",
    }),
    retention: RetentionField,
    limits: AgentLimitsSetSchema.optional(),
  })
  .openapi("UpdateAgent");

export const UpgradeAgentSchema = z
  .strictObject({
    to: z.string().min(1).max(100).default("*").openapi({
      description: "Target version or range (default: newest); it becomes the agent's stored range",
    }),
    dryRun: z.boolean().default(false),
  })
  .openapi("UpgradeAgent");

export const RollbackAgentSchema = z
  .strictObject({
    revision: z
      .int()
      .min(1)
      .openapi({ description: "The stored revision to restore (template version and config)" }),
  })
  .openapi("RollbackAgent");

export const UpgradeResultSchema = z
  .object({
    dryRun: z.boolean(),
    from: z.string(),
    to: z.string(),
    appliedMigrations: z.array(z.string()),
    config: ConfigSchema,
    valid: z.boolean(),
    errors: z
      .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
      .optional(),
    agent: AgentSchema.optional(),
  })
  .openapi("UpgradeResult");

const tags = ["Agents"];

export const createAgent = defineApiRoute({
  method: "post",
  path: "/v1/agents",
  tags,
  scope: "admin",
  summary: "Create an agent from a template and a config",
  request: { body: jsonBody(CreateAgentSchema) },
  responses: {
    ...bodyErrors,
    201: jsonContent(AgentSchema, "Created"),
    404: errorResponses[404],
    409: errorResponses[409],
  },
});

export const listAgents = defineApiRoute({
  method: "get",
  path: "/v1/agents",
  tags,
  scope: "read",
  summary: "List agents, newest first",
  request: {
    query: PageQuerySchema.extend({
      template: z.string().max(100).optional().openapi({ description: "Only agents of this template" }),
      status: z.enum(["active", "paused"]).optional(),
    }),
  },
  responses: {
    200: jsonContent(pageOf(AgentSchema, "AgentPage"), "A page of agents"),
    422: errorResponses[422],
  },
});

export const getAgent = defineApiRoute({
  method: "get",
  path: "/v1/agents/{agent}",
  tags,
  scope: "read",
  summary: "Get an agent by id or name",
  request: { params: AgentParams },
  responses: { 200: jsonContent(AgentSchema, "The agent"), 404: errorResponses[404] },
});

export const updateAgent = defineApiRoute({
  method: "patch",
  path: "/v1/agents/{agent}",
  tags,
  scope: "admin",
  summary: "Rename, describe or reconfigure an agent; a changed config makes a new revision",
  request: { params: AgentParams, body: jsonBody(UpdateAgentSchema) },
  responses: {
    ...bodyErrors,
    200: jsonContent(AgentSchema, "Updated"),
    404: errorResponses[404],
    409: errorResponses[409],
  },
});

export const deleteAgent = defineApiRoute({
  method: "delete",
  path: "/v1/agents/{agent}",
  tags,
  scope: "admin",
  summary: "Delete an agent with its revisions, runs and schedules",
  request: { params: AgentParams },
  responses: { 204: { description: "Deleted" }, 404: errorResponses[404] },
});

export const listRevisions = defineApiRoute({
  method: "get",
  path: "/v1/agents/{agent}/revisions",
  tags,
  scope: "read",
  summary: "Config history, newest first",
  request: { params: AgentParams, query: PageQuerySchema },
  responses: {
    200: jsonContent(pageOf(RevisionSchema, "RevisionPage"), "A page of revisions"),
    404: errorResponses[404],
  },
});

const agentAction = { resource: "/v1/agents/{agent}", params: AgentParams, tags, scope: "admin" } as const;

export const pauseAgent = defineActionRoute({
  ...agentAction,
  action: "pause",
  summary: "Pause: the agent accepts no new runs until resumed",
  result: AgentSchema,
  resultDescription: "Paused",
});

export const resumeAgent = defineActionRoute({
  ...agentAction,
  action: "resume",
  summary: "Resume a paused agent",
  result: AgentSchema,
  resultDescription: "Active",
});

export const upgradeAgent = defineApiRoute({
  method: "post",
  path: "/v1/agents/{agent}/upgrade",
  tags,
  scope: "admin",
  summary: "Move an agent to another template version, applying config migrations",
  description:
    "Applies the target version's migrations newer than the agent's version, validates the result and, unless `dryRun`, writes a new revision and stores `to` as the agent's range. A failing migration or validation leaves the agent untouched. Moving to an older version is refused (409 DOWNGRADE_REFUSED) when it would change or drop any setting: roll back to a revision instead.",
  request: { params: AgentParams, body: jsonBody(UpgradeAgentSchema) },
  responses: {
    ...bodyErrors,
    200: jsonContent(UpgradeResultSchema, "Upgraded, or the dry-run result"),
    404: errorResponses[404],
    409: errorResponses[409],
  },
});

export const rollbackAgent = defineApiRoute({
  method: "post",
  path: "/v1/agents/{agent}/rollback",
  tags,
  scope: "admin",
  summary: "Restore a stored revision (template version and config) as a new revision",
  request: { params: AgentParams, body: jsonBody(RollbackAgentSchema) },
  responses: {
    ...bodyErrors,
    200: jsonContent(AgentSchema, "Rolled back: the new revision"),
    404: errorResponses[404],
  },
});
