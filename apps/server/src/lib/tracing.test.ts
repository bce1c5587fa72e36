import { describe, expect, it } from "vitest";
import { otlpProtobufOnly, tracingConfigured } from "./tracing.js";

describe("tracingConfigured", () => {
  it("is on when an OTLP endpoint or an exporter other than none is named, and the SDK is not disabled", () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toBe(
      true,
    );
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: "console" })).toBe(true);
    expect(
      tracingConfigured({ OTEL_TRACES_EXPORTER: " none ", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }),
    ).toBe(false);
    expect(
      tracingConfigured({ OTEL_TRACES_EXPORTER: "null", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }),
    ).toBe(true);
    expect(
      tracingConfigured({ OTEL_SDK_DISABLED: "TRUE", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }),
    ).toBe(false);
  });
});

describe("otlpProtobufOnly", () => {
  it("holds when OTLP over HTTP in protobuf, the default, is the only exporter", () => {
    expect(otlpProtobufOnly({})).toBe(true);
    expect(otlpProtobufOnly({ OTEL_TRACES_EXPORTER: "otlp, otlp" })).toBe(true);
    expect(otlpProtobufOnly({ OTEL_EXPORTER_OTLP_PROTOCOL: " http/protobuf " })).toBe(true);
    expect(
      otlpProtobufOnly({
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      }),
    ).toBe(true);
  });

  it("leaves other protocols and exporters to the SDK", () => {
    expect(otlpProtobufOnly({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" })).toBe(false);
    expect(otlpProtobufOnly({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" })).toBe(false);
    expect(otlpProtobufOnly({ OTEL_TRACES_EXPORTER: "otlp,console" })).toBe(false);
    expect(otlpProtobufOnly({ OTEL_TRACES_EXPORTER: "zipkin" })).toBe(false);
    // An empty variable is an unset one, as the SDK reads it.
    expect(
      otlpProtobufOnly({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: " ", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }),
    ).toBe(false);
  });
});
