import type { Runtime } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import { gauge, type HttpMetrics } from "../../lib/metrics.js";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./metrics.routes.js";

export function createMetricsRoutes(runtime: Pick<Runtime, "engine" | "registry">, http: HttpMetrics) {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(routes.metrics, (c) => {
    const { running, queued } = runtime.engine.stats();
    const memory = process.memoryUsage();
    const body = [
      http.render(),
      gauge("agentrt_runs_running", "Runs executing now.", running),
      gauge("agentrt_runs_queued", "Runs waiting for a concurrency slot.", queued),
      gauge("agentrt_templates_loaded", "Template versions loaded.", runtime.registry.size()),
      gauge(
        "agentrt_templates_rejected",
        "Template packages refused at discovery.",
        runtime.registry.rejected().length,
      ),
      gauge("process_resident_memory_bytes", "Resident set size.", memory.rss),
      gauge("nodejs_heap_used_bytes", "V8 heap in use.", memory.heapUsed),
    ].join("\n");
    return c.text(`${body}\n`, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });
  return app;
}
