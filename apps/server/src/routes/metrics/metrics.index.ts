import { OpenAPIHono } from "@hono/zod-openapi";
import type { Metrics } from "../../lib/metrics.js";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./metrics.routes.js";

export function createMetricsRoutes(metrics: Pick<Metrics, "render" | "contentType">) {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(routes.metrics, async (c) =>
    c.text(await metrics.render(), 200, { "content-type": metrics.contentType }),
  );
  return app;
}
