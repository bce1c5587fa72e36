import { SCHEDULE_OVERLAPS } from "@agentrt/runtime";
import { z } from "@hono/zod-openapi";
import {
  bodyErrors,
  defineActionRoute,
  defineApiRoute,
  errorResponses,
  jsonBody,
  jsonContent,
  PageQuerySchema,
  pageOf,
  pathParam,
} from "../../lib/openapi.js";

export const ScheduleOverlapSchema = z.enum(SCHEDULE_OVERLAPS).openapi("ScheduleOverlap", {
  description:
    "What a tick does while the schedule's previous run is still queued or running: `skip` it (the default), `enqueue` it (it runs when the previous one ends; at most one tick waits, later ones are skipped meanwhile) or `allow` both to run",
});

export const ScheduleSchema = z
  .object({
    id: z.string(),
    agentId: z.string(),
    cron: z.string(),
    timezone: z.string(),
    input: z.unknown(),
    webhookUrl: z.string().nullable(),
    enabled: z.boolean(),
    overlap: ScheduleOverlapSchema,
    nextRunAt: z.string().nullable().openapi({ description: "When it fires next (ISO 8601, UTC)" }),
    lastRunAt: z.string().nullable(),
    lastRunId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Schedule");

const Cron = z.string().min(1).max(200).openapi({
  description:
    "5-field cron, or 6 fields with seconds first; one that can never fire (`0 0 30 2 *`) is refused with 422 SCHEDULE_INVALID",
  example: "0 */15 * * * *",
});
const Timezone = z.string().min(1).max(100).openapi({ example: "Europe/Berlin" });
const WebhookUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .openapi({ description: "Where each run's Standard Webhooks event is POSTed (see `webhooks`)" });

export const CreateScheduleSchema = z
  .strictObject({
    agent: z.string().min(1).max(100).openapi({ description: "Agent id or name" }),
    cron: Cron,
    timezone: Timezone.default("UTC"),
    input: z.unknown().optional(),
    webhookUrl: WebhookUrl.optional(),
    enabled: z.boolean().default(true),
    overlap: ScheduleOverlapSchema.default("skip"),
  })
  .openapi("CreateSchedule");

export const UpdateScheduleSchema = z
  .strictObject({
    cron: Cron.optional(),
    timezone: Timezone.optional(),
    input: z.unknown().optional(),
    webhookUrl: WebhookUrl.nullable().optional().openapi({ description: "`null` removes it" }),
    enabled: z.boolean().optional(),
    overlap: ScheduleOverlapSchema.optional(),
  })
  .openapi("UpdateSchedule", {
    description:
      "The fields to change. A new `cron` or `timezone`, or enabling, sets `nextRunAt` to the next fire time from now; time spent disabled is not caught up.",
  });

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

export const updateSchedule = defineApiRoute({
  method: "patch",
  path: "/v1/schedules/{id}",
  tags,
  scope: "admin",
  summary: "Change a schedule's cron, timezone, input, webhook, overlap policy or enabled state",
  request: { params: IdParams, body: jsonBody(UpdateScheduleSchema) },
  responses: { 200: jsonContent(ScheduleSchema, "The updated schedule"), 404: errorResponses[404] },
});

const scheduleAction = { resource: "/v1/schedules/{id}", params: IdParams, tags, scope: "admin" } as const;

export const pauseSchedule = defineActionRoute({
  ...scheduleAction,
  action: "pause",
  summary: "Pause a schedule: no tick fires until it is resumed (runs already started go on)",
  result: ScheduleSchema,
  resultDescription: "The paused schedule",
});

export const resumeSchedule = defineActionRoute({
  ...scheduleAction,
  action: "resume",
  summary: "Resume a paused schedule from its next fire time; paused time is not caught up",
  result: ScheduleSchema,
  resultDescription: "The resumed schedule",
});
