import { describe, expect, it } from "vitest";
import { tracingConfigured } from "./tracing.js";

describe("tracingConfigured", () => {
  it("is on when an OTLP endpoint or an exporter other than none is named", () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toBe(
      true,
    );
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: "console" })).toBe(true);
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: "none,console" })).toBe(true);
  });

  it("is off when the SDK is disabled or the only exporter named is none, whatever the endpoint", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };
    expect(tracingConfigured({ ...endpoint, OTEL_SDK_DISABLED: " TRUE " })).toBe(false);
    expect(tracingConfigured({ ...endpoint, OTEL_TRACES_EXPORTER: " none " })).toBe(false);
    expect(tracingConfigured({ ...endpoint, OTEL_SDK_DISABLED: "false" })).toBe(true);
  });
});
