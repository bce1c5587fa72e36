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

const perWindow = (scope: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(1_000_000_000)
    .optional()
    .openapi({ description: `Requests to \`${scope}\` routes per rate-limit window; 0 means unlimited` });

export const ApiKeyRateLimitsSchema = z
  .strictObject({ read: perWindow("read"), invoke: perWindow("invoke"), admin: perWindow("admin") })
  .openapi("ApiKeyRateLimits", {
    description:
      "This key's own request limits per scope class, overriding the server's `AGENTRT_RATE_LIMIT_*` defaults for the classes given",
  });

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "First characters of the key, to tell keys apart" }),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    rateLimits: ApiKeyRateLimitsSchema,
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
    rateLimits: ApiKeyRateLimitsSchema.optional(),
  })
  .openapi("CreateApiKey");

export const UpdateApiKeySchema = z
  .strictObject({
    name: z.string().min(1).max(100).optional(),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(3).optional(),
    rateLimits: ApiKeyRateLimitsSchema.optional().openapi({ description: "Replaces the key's limits" }),
  })
  .openapi("UpdateApiKey");

const KeyIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});

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
  request: { params: KeyIdParams },
  responses: { 204: { description: "Revoked" }, 404: errorResponses[404] },
});

export const updateApiKey = defineApiRoute({
  method: "patch",
  path: "/v1/api-keys/{id}",
  tags,
  scope: "admin",
  summary: "Rename an API key, change its scopes or its rate limits (the key itself stays)",
  request: { params: KeyIdParams, body: jsonBody(UpdateApiKeySchema) },
  responses: {
    ...bodyErrors,
    200: jsonContent(ApiKeySchema, "The key as it is now"),
    404: errorResponses[404],
  },
});
