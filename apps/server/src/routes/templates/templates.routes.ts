import { ErrorCodeSchema } from "@agentrt/core";
import { z } from "@hono/zod-openapi";
import { defineApiRoute, errorResponses, jsonContent } from "../../lib/openapi.js";

export const TemplateVersionSchema = z
  .object({
    version: z.string(),
    packageName: z.string(),
    coreApi: z.string(),
    description: z.string().nullable(),
    idempotent: z.boolean(),
    migrations: z.array(z.string()).openapi({ description: "Versions that carry a config migration" }),
    capabilities: z
      .array(z.enum(["chat", "threads"]))
      .openapi({ description: "`chat`: takes OpenAI chat messages; `threads`: keeps thread memory" }),
    services: z
      .array(z.object({ id: z.string(), optional: z.boolean() }))
      .openapi({ description: "Host services the template uses" }),
    errors: z
      .array(z.object({ code: z.string(), status: z.number().int(), description: z.string().nullable() }))
      .openapi({
        description: "The template's own error codes, as clients see them, with their HTTP status",
      }),
    schemaUrl: z.string(),
  })
  .openapi("TemplateVersion");

export const TemplateSchema = z
  .object({
    name: z.string(),
    latest: z.string(),
    description: z.string().nullable(),
    versions: z.array(TemplateVersionSchema).openapi({ description: "Newest first" }),
  })
  .openapi("Template");

export const RejectedTemplateSchema = z
  .object({
    packageName: z.string(),
    packageVersion: z.string().nullable(),
    code: ErrorCodeSchema,
    message: z.string(),
  })
  .openapi("RejectedTemplate");

export const TemplateListSchema = z
  .object({ data: z.array(TemplateSchema), rejected: z.array(RejectedTemplateSchema) })
  .openapi("TemplateList");

const NameParams = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "name", in: "path" }, example: "task" }),
});

export const listTemplates = defineApiRoute({
  method: "get",
  path: "/v1/templates",
  tags: ["Templates"],
  scope: "read",
  summary: "Installed templates, and the ones refused at start-up with the reason",
  responses: { 200: jsonContent(TemplateListSchema, "Loaded and rejected templates") },
});

export const getTemplate = defineApiRoute({
  method: "get",
  path: "/v1/templates/{name}",
  tags: ["Templates"],
  scope: "read",
  summary: "One template with all its installed versions",
  request: { params: NameParams },
  responses: { 200: jsonContent(TemplateSchema, "The template"), 404: errorResponses[404] },
});

export const getTemplateSchema = defineApiRoute({
  method: "get",
  path: "/v1/templates/{name}/versions/{version}/schema",
  tags: ["Templates"],
  scope: "read",
  summary: "JSON Schema (2020-12) of the agent config for one template version",
  description: "`version` is an exact version, a semver range, or `latest`.",
  request: {
    params: NameParams.extend({
      version: z
        .string()
        .min(1)
        .max(100)
        .openapi({ param: { name: "version", in: "path" }, example: "latest" }),
    }),
  },
  responses: {
    200: jsonContent(z.record(z.string(), z.unknown()).openapi("JsonSchema"), "The config JSON Schema"),
    404: errorResponses[404],
  },
});
