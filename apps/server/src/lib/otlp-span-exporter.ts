import { OTLPExporterBase } from "@opentelemetry/otlp-exporter-base";
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from "@opentelemetry/otlp-exporter-base/node-http";
import { ProtobufTraceSerializer, TraceExporterMetricsHelper } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { serializeSpans } from "./otlp-span-protobuf.js";

/**
 * The OpenTelemetry SDK's OTLP/HTTP protobuf span exporter, assembled from the same public parts
 * (`OTLPTraceExporter` of `@opentelemetry/exporter-trace-otlp-proto`), with `serializeSpans` in
 * place of its serializer. Endpoint, headers, timeout, compression, TLS and retries are the SDK's
 * own, configured by the same `OTEL_EXPORTER_OTLP_*` variables.
 */
export function createProtobufSpanExporter(): OTLPExporterBase<ReadableSpan[]> {
  return new OTLPExporterBase(
    createOtlpHttpExportDelegate(
      convertLegacyHttpOptions({}, "TRACES", "v1/traces", { "Content-Type": "application/x-protobuf" }),
      { serializeRequest: serializeSpans, deserializeResponse: ProtobufTraceSerializer.deserializeResponse },
      // The component type the SDK's own exporter reports in its self-observability metrics.
      "otlp_http_span_exporter",
      TraceExporterMetricsHelper,
      undefined,
    ),
  );
}
