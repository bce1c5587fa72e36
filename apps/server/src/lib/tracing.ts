import type { NodeSDK } from "@opentelemetry/sdk-node";

/**
 * Traces go somewhere: an OTLP endpoint or a trace exporter is configured and the SDK is not
 * disabled, by the standard OpenTelemetry variables.
 */
export function tracingConfigured(env: Record<string, string | undefined>): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  if (exporters?.length) return exporters.some((e) => e !== "none");
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

let running: Promise<NodeSDK> | undefined;

/**
 * Starts the OpenTelemetry Node SDK once per process, configured by the `OTEL_*` variables
 * (exporter, endpoint, protocol, headers, sampler, service name, resource attributes). Imported
 * only here, so a server without tracing never loads it. The runtime and templates only use
 * `@opentelemetry/api`, which records nothing until this registers a provider.
 */
export function startTracing(env: Record<string, string | undefined>): Promise<NodeSDK> {
  running ??= (async () => {
    const { NodeSDK } = await import("@opentelemetry/sdk-node");
    const sdk = new NodeSDK({
      ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: "agentrt" }),
      // Spans come from agentrt's own code: requests, runs, steps, model and sandbox calls.
      instrumentations: [],
      // agentrt's metrics are Prometheus's (/metrics) and its logs pino's: the SDK's own metric and
      // log pipelines (OTLP by default) start only when the operator names an exporter for them.
      ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
      ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
    });
    sdk.start();
    return sdk;
  })();
  return running;
}

/** Flushes and stops the SDK (server shutdown); a later start begins a new one. */
export async function stopTracing(): Promise<void> {
  const sdk = running;
  running = undefined;
  await (await sdk)?.shutdown();
}
