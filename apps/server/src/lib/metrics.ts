import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";

const BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** In-process HTTP metrics in Prometheus text format; labels use route patterns, never raw paths. */
export function createHttpMetrics() {
  const requests = new Map<string, number>();
  const durations = new Map<string, Histogram>();

  const middleware: MiddlewareHandler = async (c, next) => {
    const start = performance.now();
    await next();
    const route = routePath(c, -1);
    const key = `method="${c.req.method}",route="${route}",status="${c.res.status}"`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    const hkey = `method="${c.req.method}",route="${route}"`;
    let h = durations.get(hkey);
    if (!h) {
      h = { counts: BUCKETS_MS.map(() => 0), sum: 0, count: 0 };
      durations.set(hkey, h);
    }
    const elapsed = performance.now() - start;
    for (let i = 0; i < BUCKETS_MS.length; i++) if (elapsed <= BUCKETS_MS[i]!) h.counts[i]!++;
    h.sum += elapsed;
    h.count++;
  };

  function render(): string {
    const lines = [
      "# HELP agentrt_http_requests_total HTTP requests by route pattern and status.",
      "# TYPE agentrt_http_requests_total counter",
      ...[...requests].map(([labels, n]) => `agentrt_http_requests_total{${labels}} ${n}`),
      "# HELP agentrt_http_request_duration_ms Time to the response head, in milliseconds.",
      "# TYPE agentrt_http_request_duration_ms histogram",
    ];
    for (const [labels, h] of durations) {
      BUCKETS_MS.forEach((le, i) => {
        lines.push(`agentrt_http_request_duration_ms_bucket{${labels},le="${le}"} ${h.counts[i]}`);
      });
      lines.push(`agentrt_http_request_duration_ms_bucket{${labels},le="+Inf"} ${h.count}`);
      lines.push(`agentrt_http_request_duration_ms_sum{${labels}} ${h.sum.toFixed(3)}`);
      lines.push(`agentrt_http_request_duration_ms_count{${labels}} ${h.count}`);
    }
    return lines.join("\n");
  }
  return { middleware, render };
}
export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

export function gauge(name: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}`;
}
