import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ROOT_CONTEXT, SpanKind } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProtobufSpanExporter } from "./otlp-span-exporter.js";

/** An OTLP/HTTP endpoint that keeps each request's path, headers and body. */
async function startCollector() {
  const received: {
    path: string | undefined;
    type: string | undefined;
    auth: string | undefined;
    body: Buffer;
  }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        path: req.url,
        type: req.headers["content-type"],
        auth: req.headers.authorization,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function someSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const span = provider
    .getTracer("test")
    .startSpan("chat fake-model", { kind: SpanKind.CLIENT }, ROOT_CONTEXT);
  span.setAttribute("gen_ai.request.model", "fake-model");
  span.end();
  return exporter.getFinishedSpans() as ReadableSpan[];
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("createProtobufSpanExporter", () => {
  it("sends the SDK's protobuf bytes where and how the OTEL_EXPORTER_OTLP_* variables say", async () => {
    const collector = await startCollector();
    try {
      vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url);
      vi.stubEnv("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer collector-key");
      const exporter = createProtobufSpanExporter();
      const spans = someSpans();
      const result = await new Promise<{ code: number }>((resolve) => exporter.export(spans, resolve));
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      await exporter.shutdown();
      expect(collector.received).toEqual([
        {
          path: "/v1/traces",
          type: "application/x-protobuf",
          auth: "Bearer collector-key",
          body: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
        },
      ]);
    } finally {
      await collector.close();
    }
  });

  it("reports a failed export when the collector cannot be reached", async () => {
    const collector = await startCollector();
    await collector.close();
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", `${collector.url}/v1/traces`);
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2000");
    const exporter = createProtobufSpanExporter();
    const result = await new Promise<{ code: number }>((resolve) => exporter.export(someSpans(), resolve));
    expect(result.code).toBe(ExportResultCode.FAILED);
    await exporter.shutdown();
  });
});
