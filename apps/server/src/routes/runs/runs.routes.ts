import { RunErrorSchema } from "@agentrt/core";
import { RunStatusSchema } from "@agentrt/runtime";
import { z } from "@hono/zod-openapi";
import {
  AgentParams,
  bodyErrors,
  defineActionRoute,
  defineApiRoute,
  errorResponses,
  jsonBody,
  jsonContent,
  MultitaskStrategySchema,
  OnDisconnectSchema,
  PageQuerySchema,
  pageOf,
  pathParam,
  RUN_ID_HEADER,
} from "../../lib/openapi.js";

export const RunSchema = z
  .object({
    id: z.string(),
    agentId: z.string(),
    agentRevision: z.number().int(),
    threadId: z.string().nullable(),
    scheduleId: z.string().nullable(),
    status: RunStatusSchema,
    input: z.unknown(),
    output: z.unknown().openapi({ description: "The final output (null until the run succeeds)" }),
    error: RunErrorSchema.nullable(),
    idempotencyKey: z.string().nullable(),
    webhookUrl: z.string().nullable(),
    webhookDeliveries: z.array(
      z.object({
        attempt: z.number().int(),
        at: z.string(),
        status: z.number().int().nullable(),
        error: z.string().nullable(),
      }),
    ),
    timeoutMs: z.number().int(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi("Run");

const HttpUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .openapi({
    description:
      "http(s) URL to POST the run summary to when the run ends. Loopback, private, link-local and other internal addresses are refused (422) unless the operator allows them (AGENTRT_WEBHOOK_ALLOW_INTERNAL)",
  });

export const CreateRunSchema = z
  .strictObject({
    input: z
      .unknown()
      .optional()
      .openapi({ description: "Run input, validated by the template's input schema" }),
    mode: z.enum(["sync", "background", "stream"]).default("sync"),
    threadId: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "An existing thread (POST /v1/threads)" }),
    multitaskStrategy: MultitaskStrategySchema.optional().openapi({
      description:
        "While the thread has an unfinished run: reject, enqueue or interrupt (default: the thread's, else enqueue)",
    }),
    idempotencyKey: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "The same key for the same agent within 24 h returns the first run" }),
    webhookUrl: HttpUrl.optional(),
    timeoutMs: z.number().int().min(100, { error: "must be at least 100 ms" }).optional().openapi({
      description: "Run time limit in ms, from 100 up to the server's maximum (AGENTRT_RUN_MAX_TIMEOUT_MS)",
    }),
    onDisconnect: OnDisconnectSchema.optional().openapi({
      description:
        "`sync` and `stream` only: what the run does if the client drops the connection first (default `cancel`)",
    }),
  })
  .openapi("CreateRun");

const sse = {
  "text/event-stream": {
    schema: z.string().openapi({
      description:
        "SSE: `id` is the event seq, `event` its type, `data` the JSON payload; ends after `run.finished`",
    }),
  },
};

const runIdHeader = {
  [RUN_ID_HEADER]: { schema: { type: "string" as const }, description: "The run's id" },
};

const RunParams = pathParam("id");
const tags = ["Runs"];

export const createRun = defineApiRoute({
  method: "post",
  path: "/v1/agents/{agent}/runs",
  tags,
  scope: "invoke",
  summary: "Run an agent: wait for the result, start it in the background, or stream its events",
  request: { params: AgentParams, body: jsonBody(CreateRunSchema) },
  responses: {
    200: {
      description:
        "`sync`: the finished run, whatever its status: a failed, cancelled or timed-out run answers 200 with its `error` (the run is the resource; retrying would run it again); `stream`: its events as SSE",
      headers: runIdHeader,
      content: { ...jsonContent(RunSchema, "").content, ...sse },
    },
    202: { ...jsonContent(RunSchema, "`background`: the queued run"), headers: runIdHeader },
    ...bodyErrors,
    404: errorResponses[404],
    409: errorResponses[409],
  },
});

export const listRuns = defineApiRoute({
  method: "get",
  path: "/v1/runs",
  tags,
  scope: "read",
  summary: "List runs, newest first",
  request: {
    query: PageQuerySchema.extend({
      agent: z.string().max(100).optional().openapi({ description: "Agent id or name" }),
      status: RunStatusSchema.optional(),
      thread: z.string().max(100).optional(),
    }),
  },
  responses: {
    200: jsonContent(pageOf(RunSchema, "RunPage"), "A page of runs"),
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export const getRun = defineApiRoute({
  method: "get",
  path: "/v1/runs/{id}",
  tags,
  scope: "read",
  summary: "Get a run",
  request: { params: RunParams },
  responses: { 200: jsonContent(RunSchema, "The run"), 404: errorResponses[404] },
});

export const cancelRun = defineActionRoute({
  resource: "/v1/runs/{id}",
  action: "cancel",
  params: RunParams,
  tags,
  scope: "invoke",
  summary: "Cancel a queued or running run",
  result: RunSchema,
  resultDescription: "The cancelled run",
  conflicts: true,
});

export const runEvents = defineApiRoute({
  method: "get",
  path: "/v1/runs/{id}/events",
  tags,
  scope: "read",
  summary: "Follow a run's events as SSE: stored ones first, then live; resumable",
  description:
    "Send `Last-Event-ID` (or `?after=<seq>`) to resume after a dropped connection: you get exactly the events after that seq.",
  request: {
    params: RunParams,
    query: z.object({ after: z.coerce.number().int().min(0).optional() }),
    headers: z.object({ "last-event-id": z.string().regex(/^\d+$/).optional() }),
  },
  responses: {
    200: { description: "SSE stream", content: sse },
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export const deleteRun = defineApiRoute({
  method: "delete",
  path: "/v1/runs/{id}",
  tags,
  scope: "admin",
  summary: "Delete a finished run with its events",
  description:
    "A queued or running run answers 409 RUN_NOT_FINISHED (cancel it first). Afterwards the id answers 404 RUN_DELETED for as long as the server keeps tombstones (AGENTRT_RETENTION_TOMBSTONE_TTL); its idempotency key is free again.",
  request: { params: RunParams },
  responses: { 204: { description: "Deleted" }, 404: errorResponses[404], 409: errorResponses[409] },
});

export const deleteAgentRuns = defineApiRoute({
  method: "delete",
  path: "/v1/agents/{agent}/runs",
  tags,
  scope: "admin",
  summary: "Delete an agent's finished runs created before a time",
  description: "Queued and running runs stay. Deleted runs answer 404 RUN_DELETED afterwards.",
  request: {
    params: AgentParams,
    query: z.object({
      before: z.iso.datetime({ offset: true }).openapi({ description: "Runs created before this instant" }),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({ deleted: z.number().int() }).openapi("DeletedRuns"),
      "How many runs were deleted",
    ),
    404: errorResponses[404],
    422: errorResponses[422],
  },
});
