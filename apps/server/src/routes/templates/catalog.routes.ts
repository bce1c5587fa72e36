import { ErrorCode } from "@agentrt/core";
import { z } from "@hono/zod-openapi";
import { defineApiRoute, errorResponses, jsonContent } from "../../lib/openapi.js";

export const CatalogEntrySchema = z
  .object({
    packageName: z.string(),
    version: z.string().openapi({ description: "Latest published version" }),
    description: z.string().nullable(),
    coreApi: z.string().nullable().openapi({ description: "`agentrt.coreApi` of that version" }),
    compatible: z.boolean().openapi({ description: "Whether this server's core API satisfies `coreApi`" }),
    code: z
      .enum([
        ErrorCode.TEMPLATE_INCOMPATIBLE,
        ErrorCode.TEMPLATE_INVALID,
        ErrorCode.TEMPLATE_NOT_FOUND,
        ErrorCode.UPSTREAM_ERROR,
      ])
      .nullable()
      .openapi({
        description:
          "Why it is not compatible, or `UPSTREAM_ERROR` when the registry refused its manifest (e.g. 401 for a private package) so it could not be checked; null when it is compatible",
      }),
    reason: z.string().nullable().openapi({ description: "What `code` means for this entry" }),
    installedVersions: z.array(z.string()).openapi({ description: "Versions of this package loaded here" }),
  })
  .openapi("CatalogEntry");

export const CatalogSchema = z
  .object({
    registry: z.string(),
    coreApiVersion: z.string(),
    data: z.array(CatalogEntrySchema),
  })
  .openapi("Catalog");

export const CatalogQuerySchema = z.object({
  q: z.string().max(200).optional().openapi({ description: "Search words, added to the keyword filter" }),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "Results (1-100)" }),
});

export const getCatalog = defineApiRoute({
  method: "get",
  path: "/v1/templates/catalog",
  tags: ["Templates"],
  scope: "read",
  summary: "Search the npm registry for templates, each marked compatible or not with this server",
  description:
    "Searches the configured npm registry (`AGENTRT_NPM_REGISTRY`) for packages with the `agentrt-template` keyword and reads each result's `agentrt.coreApi` from its published manifest.",
  request: { query: CatalogQuerySchema },
  responses: {
    200: jsonContent(CatalogSchema, "Matching templates"),
    422: errorResponses[422],
    502: errorResponses[502],
  },
});
