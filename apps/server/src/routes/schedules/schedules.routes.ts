import { z } from "@hono/zod-openapi";
import {
  bodyErrors,
  defineApiRoute,
  errorResponses,
  jsonBody,
  jsonContent,
  PageQuerySchema,
  pageOf,
  pathParam,
} from "../../lib/openapi.js";

export const ScheduleSchema = z
  .object({
    id: z.string(),
    agentId: z.string(),
    cron: z.string(),
    timezone: z.string(),
    input: z.unknown(),
    webhookUrl: z.string().nullable(),
    enabled: z.boolean(),
    nextRunAt: z.string().nullable().openapi({ description: "When it fires next (ISO 8601, UTC)" }),
    lastRunAt: z.string().nullable(),
    lastRunId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Schedule");

export const CreateScheduleSchema = z
  .strictObject({
    agent: z.string().min(1).max(100).openapi({ description: "Agent id or name" }),
    cron: z
      .string()
      .min(1)
      .max(200)
      .openapi({ description: "5-field cron, or 6 fields with seconds first", example: "0 */15 * * * *" }),
    timezone: z.string().min(1).max(100).default("UTC").openapi({ example: "Europe/Berlin" }),
    input: z.unknown().optional(),
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    enabled: z.boolean().default(true),
  })
  .openapi("CreateSchedule");

const IdParams = pathParam("id");
const tags = ["Schedules"];

export const createSchedule = defineApiRoute({
  method: "post",
  path: "/v1/schedules",
  tags,
  scope: "admin",
  summary: "Run an agent on a cron schedule",
  request: { body: jsonBody(CreateScheduleSchema) },
  responses: {
    ...bodyErrors,
    201: jsonContent(ScheduleSchema, "Created"),
    404: errorResponses[404],
  },
});

export const listSchedules = defineApiRoute({
  method: "get",
  path: "/v1/schedules",
  tags,
  scope: "read",
  summary: "List schedules, newest first",
  request: { query: PageQuerySchema.extend({ agent: z.string().max(100).optional() }) },
  responses: {
    200: jsonContent(pageOf(ScheduleSchema, "SchedulePage"), "A page of schedules"),
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export const getSchedule = defineApiRoute({
  method: "get",
  path: "/v1/schedules/{id}",
  tags,
  scope: "read",
  summary: "Get a schedule",
  request: { params: IdParams },
  responses: { 200: jsonContent(ScheduleSchema, "The schedule"), 404: errorResponses[404] },
});

export const deleteSchedule = defineApiRoute({
  method: "delete",
  path: "/v1/schedules/{id}",
  tags,
  scope: "admin",
  summary: "Delete a schedule",
  request: { params: IdParams },
  responses: { 204: { description: "Deleted" }, 404: errorResponses[404] },
});
