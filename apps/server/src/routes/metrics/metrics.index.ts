import type { RetentionStats, Runtime } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import { gauge, type HttpMetrics } from "../../lib/metrics.js";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./metrics.routes.js";

/** Retention's numbers; the store ones are as of the pruner's last pass. */
function retentionGauges(stats: RetentionStats): string[] {
  const oldest = stats.oldestRunAt === null ? 0 : Date.parse(stats.oldestRunAt) / 1000;
  return [
    gauge("agentrt_store_size_bytes", "Bytes the store occupies.", stats.sizeBytes ?? 0),
    gauge("agentrt_store_free_bytes", "Of those, bytes free for reuse.", stats.freeBytes ?? 0),
    gauge("agentrt_retention_runs_pruned", "Runs removed by retention since start-up.", stats.runsPruned),
    gauge("agentrt_retention_runs_compacted", "Runs whose token deltas were dropped.", stats.runsCompacted),
    gauge("agentrt_retention_threads_expired", "Idle threads deleted.", stats.threadsExpired),
    gauge("agentrt_retention_bytes_reclaimed", "Bytes given back to the file system.", stats.bytesReclaimed),
    gauge("agentrt_oldest_run_timestamp_seconds", "Creation time of the oldest run kept.", oldest),
  ];
}

export function createMetricsRoutes(
  runtime: Pick<Runtime, "engine" | "registry" | "retention">,
  http: HttpMetrics,
) {
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
      ...retentionGauges(runtime.retention.stats()),
      gauge("process_resident_memory_bytes", "Resident set size.", memory.rss),
      gauge("nodejs_heap_used_bytes", "V8 heap in use.", memory.heapUsed),
    ].join("\n");
    return c.text(`${body}\n`, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });
  return app;
}
