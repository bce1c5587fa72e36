import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { RetentionStats, RunObserver } from "@agentrt/runtime";
import type { HttpBindings } from "@hono/node-server";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * What a template's sandbox pool reports on this channel when it opens and closes (see
 * `@agentrt/template-custom`), so metrics can read its counts at scrape time without the server
 * knowing the template.
 */
export const SANDBOX_CHANNEL = "agentrt:sandbox-pool";
export interface SandboxPoolMessage {
  type: "opened" | "closed";
  id: string;
  stats(): { busy: number; idle: number; crashes: number; kills: Readonly<Record<string, number>> };
}

export interface MetricsOptions {
  /** Label token counts with the agent name (its cardinality is the number of agents). */
  agentLabel: boolean;
  /** Read at scrape time. */
  gauges: {
    queue(): { running: number; queued: number };
    templates(): { loaded: number; rejected: number };
    /** The retention pruner's numbers; the store ones are as of its last pass. */
    retention(): RetentionStats | undefined;
  };
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * agentrt's Prometheus metrics (prom-client): HTTP by route pattern, runs and steps by template,
 * the queue, SSE streams, tokens, sandbox pools, templates, webhooks, and Node's process metrics.
 * Labels are bounded: route patterns, template names, statuses, model names, never ids.
 */
export function createMetrics(options: MetricsOptions) {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({
    name: "agentrt_http_requests_total",
    help: "HTTP requests by route pattern and status.",
    labelNames: ["method", "route", "status"],
    registers,
  });
  const httpDuration = new Histogram({
    name: "agentrt_http_request_duration_seconds",
    help: "Time to the response head.",
    labelNames: ["method", "route"],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const sseStreams = new Gauge({
    name: "agentrt_sse_streams_active",
    help: "Server-sent event streams open now.",
    registers,
  });
  const runsStarted = new Counter({
    name: "agentrt_runs_started_total",
    help: "Runs that began executing, by template.",
    labelNames: ["template"],
    registers,
  });
  const runsFinished = new Counter({
    name: "agentrt_runs_finished_total",
    help: "Runs that ended, by template and status.",
    labelNames: ["template", "status"],
    registers,
  });
  const runDuration = new Histogram({
    name: "agentrt_run_duration_seconds",
    help: "Run execution time, from leaving the queue to the end.",
    labelNames: ["template"],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const stepDuration = new Histogram({
    name: "agentrt_step_duration_seconds",
    help: "Step time, from step.started to step.finished.",
    labelNames: ["template", "status"],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const queueWait = new Histogram({
    name: "agentrt_run_queue_wait_seconds",
    help: "Time runs waited for a concurrency slot.",
    labelNames: ["template"],
    buckets: DURATION_BUCKETS,
    registers,
  });
  new Gauge({
    name: "agentrt_runs_queued",
    help: "Runs waiting for a concurrency slot.",
    registers,
    collect() {
      this.set(options.gauges.queue().queued);
    },
  });
  new Gauge({
    name: "agentrt_runs_running",
    help: "Runs executing now.",
    registers,
    collect() {
      this.set(options.gauges.queue().running);
    },
  });
  const tokens = new Counter({
    name: "agentrt_gen_ai_tokens_total",
    help: "Model tokens by direction (input, output) and model; by agent when the operator enables it.",
    labelNames: options.agentLabel ? ["direction", "model", "agent"] : ["direction", "model"],
    registers,
  });
  const webhooks = new Counter({
    name: "agentrt_webhook_deliveries_total",
    help: "Webhook delivery attempts by outcome.",
    labelNames: ["outcome"],
    registers,
  });
  new Gauge({
    name: "agentrt_templates_loaded",
    help: "Template versions loaded.",
    registers,
    collect() {
      this.set(options.gauges.templates().loaded);
    },
  });
  new Gauge({
    name: "agentrt_templates_rejected",
    help: "Template packages refused at discovery.",
    registers,
    collect() {
      this.set(options.gauges.templates().rejected);
    },
  });
  const retentionGauges: [string, string, (stats: RetentionStats) => number][] = [
    ["agentrt_store_size_bytes", "Bytes the store occupies.", (s) => s.sizeBytes ?? 0],
    ["agentrt_store_free_bytes", "Of those, bytes free for reuse.", (s) => s.freeBytes ?? 0],
    ["agentrt_retention_runs_pruned", "Runs removed by retention since start-up.", (s) => s.runsPruned],
    ["agentrt_retention_runs_compacted", "Runs whose token deltas were dropped.", (s) => s.runsCompacted],
    ["agentrt_retention_threads_expired", "Idle threads deleted.", (s) => s.threadsExpired],
    ["agentrt_retention_bytes_reclaimed", "Bytes given back to the file system.", (s) => s.bytesReclaimed],
    [
      "agentrt_oldest_run_timestamp_seconds",
      "Creation time of the oldest run kept.",
      (s) => (s.oldestRunAt === null ? 0 : Date.parse(s.oldestRunAt) / 1000),
    ],
  ];
  for (const [name, help, read] of retentionGauges)
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const stats = options.gauges.retention();
        if (stats) this.set(read(stats));
      },
    });
  const templateLoad = new Gauge({
    name: "agentrt_template_discovery_seconds",
    help: "Time template discovery took at start-up.",
    registers,
  });

  const pools = new Map<string, SandboxPoolMessage["stats"]>();
  // What closed pools counted: crash and kill counters never go back when a pool closes.
  const closed = { crashes: 0, kills: {} as Record<string, number> };
  const addKills = (into: Record<string, number>, kills: Readonly<Record<string, number>>) => {
    for (const [reason, n] of Object.entries(kills)) into[reason] = (into[reason] ?? 0) + n;
  };
  const poolTotals = () => {
    const all = [...pools.values()].map((stats) => stats());
    const kills = { ...closed.kills };
    for (const s of all) addKills(kills, s.kills);
    const sum = (pick: (s: (typeof all)[number]) => number) => all.reduce((n, s) => n + pick(s), 0);
    return {
      busy: sum((s) => s.busy),
      idle: sum((s) => s.idle),
      crashes: closed.crashes + sum((s) => s.crashes),
      kills,
    };
  };
  new Gauge({
    name: "agentrt_sandbox_workers",
    help: "Sandbox worker processes by state (busy, idle).",
    labelNames: ["state"],
    registers,
    collect() {
      const totals = poolTotals();
      this.set({ state: "busy" }, totals.busy);
      this.set({ state: "idle" }, totals.idle);
    },
  });
  // The pools keep these counts; each scrape copies the process's totals into the counters.
  new Counter({
    name: "agentrt_sandbox_crashes_total",
    help: "Sandbox worker processes that ended unplanned.",
    registers,
    collect() {
      this.reset();
      this.inc(poolTotals().crashes);
    },
  });
  new Counter({
    name: "agentrt_sandbox_kills_total",
    help: "Sandbox worker processes killed by the host, by reason (deadline, heartbeat, closed, error).",
    labelNames: ["reason"],
    registers,
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(poolTotals().kills)) this.inc({ reason }, n);
    },
  });
  const onSandbox = (message: unknown) => {
    const m = message as SandboxPoolMessage;
    if (m.type === "opened") pools.set(m.id, m.stats);
    else if (pools.delete(m.id)) {
      const last = m.stats();
      closed.crashes += last.crashes;
      addKills(closed.kills, last.kills);
    }
  };
  subscribe(SANDBOX_CHANNEL, onSandbox);

  /** Steps in progress per run: their start times. */
  const steps = new Map<string, Map<string, number>>();

  const observer: RunObserver = {
    runStarted(run, waitedMs) {
      runsStarted.inc({ template: run.template });
      if (waitedMs !== undefined) queueWait.observe({ template: run.template }, waitedMs / 1000);
    },
    runEvent(run, event) {
      if (event.type === "step.started") {
        const open = steps.get(run.runId) ?? new Map<string, number>();
        steps.set(run.runId, open);
        open.set(event.stepId, performance.now());
      } else if (event.type === "step.finished") {
        const began = steps.get(run.runId)?.get(event.stepId);
        if (began === undefined) return;
        steps.get(run.runId)?.delete(event.stepId);
        stepDuration.observe(
          { template: run.template, status: event.status },
          (performance.now() - began) / 1000,
        );
      } else if (event.type === "usage") {
        const model = event.model ?? "unknown";
        const agent = options.agentLabel ? { agent: run.agentName } : {};
        tokens.inc({ direction: "input", model, ...agent }, event.promptTokens);
        tokens.inc({ direction: "output", model, ...agent }, event.completionTokens);
      }
    },
    runFinished(run, ending, durationMs) {
      steps.delete(run.runId);
      runsFinished.inc({ template: run.template, status: ending });
      runDuration.observe({ template: run.template }, durationMs / 1000);
    },
    webhookAttempt(outcome) {
      webhooks.inc({ outcome });
    },
  };

  // prom-client hashes the label values on every call; the children are looked up once per series.
  const requestSeries = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();
  const seriesOf = (method: string, route: string, status: number) => {
    const key = `${method} ${route} ${status}`;
    let series = requestSeries.get(key);
    if (!series) {
      series = {
        count: httpRequests.labels({ method, route, status }),
        duration: httpDuration.labels({ method, route }),
      };
      requestSeries.set(key, series);
    }
    return series;
  };

  /** Counts every request by its route pattern; an SSE stream counts as active until its response ends. */
  const middleware: MiddlewareHandler<{ Bindings: HttpBindings }> = async (c, next) => {
    const started = performance.now();
    await next();
    const { res } = c;
    const series = seriesOf(c.req.method, routePath(c, -1), res.status);
    series.count.inc();
    series.duration.observe((performance.now() - started) / 1000);
    // The headers only: reading `res.body` would turn @hono/node-server's lightweight response into a full one.
    if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
      sseStreams.inc();
      c.env.outgoing.once("close", () => sseStreams.dec());
    }
  };

  return {
    registry,
    observer,
    middleware,
    /**
     * A request answered before the app could route it (no valid URL, or the app threw). Its method
     * is not known there: counted as `_OTHER` (OpenTelemetry's name for it) with an empty route.
     */
    unrouted(status: number) {
      httpRequests.inc({ method: "_OTHER", route: "", status });
    },
    discovered(seconds: number) {
      templateLoad.set(seconds);
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
    close() {
      unsubscribe(SANDBOX_CHANNEL, onSandbox);
      registry.clear();
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
