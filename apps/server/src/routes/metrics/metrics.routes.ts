import { z } from "@hono/zod-openapi";
import { defineApiRoute } from "../../lib/openapi.js";

export const metrics = defineApiRoute({
  method: "get",
  path: "/metrics",
  tags: ["Operations"],
  scope: "read",
  summary: "Prometheus metrics (text exposition format)",
  responses: {
    200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } },
  },
});
