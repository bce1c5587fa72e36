import { ThreadMessageSchema as CoreThreadMessageSchema } from "@agentrt/core";
import { z } from "@hono/zod-openapi";
import {
  bodyErrors,
  defineApiRoute,
  errorResponses,
  jsonBody,
  jsonContent,
  MultitaskStrategySchema,
  PageQuerySchema,
  pageOf,
  pathParam,
} from "../../lib/openapi.js";

const MetadataSchema = z
  .looseObject({ multitaskStrategy: MultitaskStrategySchema.optional() })
  .openapi({ description: "Free-form; `multitaskStrategy` sets the thread's default strategy" });

export const ThreadSchema = z
  .object({
    id: z.string().openapi({ example: "thr_01jx3k9w2a7f0000000000000000" }),
    agentId: z
      .string()
      .nullable()
      .openapi({ description: "The agent whose runs may use the thread; null: any agent" }),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string().openapi({ description: "Changes whenever a run is started on the thread" }),
  })
  .openapi("Thread");

export const CreateThreadSchema = z
  .strictObject({
    agent: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "Bind the thread to this agent (id or name)" }),
    metadata: MetadataSchema.optional(),
  })
  .openapi("CreateThread");

// `describe` makes a schema made after zod-openapi extended zod, so it can be named.
export const ThreadMessageSchema = CoreThreadMessageSchema.describe(
  "One message of the thread's transcript, as the template that keeps its memory reports it",
).openapi("ThreadMessage");

const ThreadParams = pathParam("id");
const tags = ["Threads"];

export const createThread = defineApiRoute({
  method: "post",
  path: "/v1/threads",
  tags,
  scope: "invoke",
  summary: "Create a conversation thread; runs given its id share its memory",
  request: { body: jsonBody(CreateThreadSchema) },
  responses: {
    ...bodyErrors,
    201: jsonContent(ThreadSchema, "Created"),
    404: errorResponses[404],
  },
});

export const listThreads = defineApiRoute({
  method: "get",
  path: "/v1/threads",
  tags,
  scope: "read",
  summary: "List threads, newest first",
  request: {
    query: PageQuerySchema.extend({
      agent: z
        .string()
        .max(100)
        .optional()
        .openapi({ description: "Only threads bound to this agent (id or name)" }),
    }),
  },
  responses: {
    200: jsonContent(pageOf(ThreadSchema, "ThreadPage"), "A page of threads"),
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

export const getThread = defineApiRoute({
  method: "get",
  path: "/v1/threads/{id}",
  tags,
  scope: "read",
  summary: "Get a thread",
  request: { params: ThreadParams },
  responses: { 200: jsonContent(ThreadSchema, "The thread"), 404: errorResponses[404] },
});

export const listThreadMessages = defineApiRoute({
  method: "get",
  path: "/v1/threads/{id}/messages",
  tags,
  scope: "read",
  summary: "The thread's conversation so far, oldest first",
  description:
    "The complete transcript from the thread's memory; memory trimming only limits what the model sees.",
  request: { params: ThreadParams },
  responses: {
    200: jsonContent(
      z.object({ data: z.array(ThreadMessageSchema) }).openapi("ThreadMessages"),
      "The messages",
    ),
    404: errorResponses[404],
  },
});

export const deleteThread = defineApiRoute({
  method: "delete",
  path: "/v1/threads/{id}",
  tags,
  scope: "invoke",
  summary: "Delete a thread and its memory; its unfinished runs are cancelled first",
  request: { params: ThreadParams },
  responses: { 204: { description: "Deleted" }, 404: errorResponses[404] },
});
