import { API_KEY_SCOPES } from "@agentrt/runtime";
import { z } from "@hono/zod-openapi";
import {
  bodyErrors,
  defineApiRoute,
  errorResponses,
  jsonBody,
  jsonContent,
  PageQuerySchema,
  pageOf,
} from "../../lib/openapi.js";

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "First characters of the key, to tell keys apart" }),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: "The secret key. Shown once, never again." }),
}).openapi("CreatedApiKey");

export const CreateApiKeySchema = z
  .strictObject({
    name: z.string().min(1).max(100),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(3),
  })
  .openapi("CreateApiKey");

const tags = ["API keys"];

export const createApiKey = defineApiRoute({
  method: "post",
  path: "/v1/api-keys",
  tags,
  scope: "admin",
  summary: "Create an API key; the response holds the key, shown only once",
  request: { body: jsonBody(CreateApiKeySchema) },
  responses: {
    ...bodyErrors,
    201: jsonContent(CreatedApiKeySchema, "Created"),
  },
});

export const listApiKeys = defineApiRoute({
  method: "get",
  path: "/v1/api-keys",
  tags,
  scope: "admin",
  summary: "List API keys (never the keys themselves)",
  request: { query: PageQuerySchema },
  responses: {
    200: jsonContent(pageOf(ApiKeySchema, "ApiKeyPage"), "A page of keys"),
    422: errorResponses[422],
  },
});

export const deleteApiKey = defineApiRoute({
  method: "delete",
  path: "/v1/api-keys/{id}",
  tags,
  scope: "admin",
  summary: "Revoke an API key",
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(100)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
  },
  responses: { 204: { description: "Revoked" }, 404: errorResponses[404] },
});
