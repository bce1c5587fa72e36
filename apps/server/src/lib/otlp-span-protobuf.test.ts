import {
  type Attributes,
  type AttributeValue,
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serializeSpans } from "./otlp-span-protobuf.js";

/** A tracer provider that keeps what it records, with a resource of its own. */
function recorder(resource: Attributes, schemaUrl?: string) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resource, schemaUrl ? { schemaUrl } : undefined),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  return { provider, spans: () => exporter.getFinishedSpans() as ReadableSpan[] };
}

const expectSameBytes = (spans: ReadableSpan[]) =>
  expect(
    Buffer.from(serializeSpans(spans)).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!)),
  ).toBe(true);

const EVERY_ATTRIBUTE: Attributes = {
  ascii: "POST /v1/chat/completions",
  empty: "",
  unicode: "grüße, 世界 🚀",
  latin1: "naïve café", // below 256, yet two bytes each in UTF-8
  longAscii: "x".repeat(300),
  longUnicode: "é".repeat(200),
  yes: true,
  no: false,
  zero: 0,
  small: 42,
  negative: -7,
  word: 2 ** 32 + 5,
  big: Number.MAX_SAFE_INTEGER,
  negativeBig: -(2 ** 40) - 3,
  fraction: 3.25,
  negativeFraction: -0.5,
  notANumber: Number.NaN,
  infinite: Number.POSITIVE_INFINITY,
  strings: ["stop", "length"],
  numbers: [1, 2.5, -3],
  booleans: [true, false],
  holes: ["a", null, undefined, "b"] as AttributeValue,
  none: [],
};

describe("serializeSpans", () => {
  it("writes every field of every kind of span as the SDK's own protobuf serializer does", () => {
    const api = recorder(
      { "service.name": "agentrt", "host.name": "node-1" },
      "https://opentelemetry.io/schemas/1.30.0",
    );
    const worker = recorder({ "service.name": "agentrt-worker" });
    const scoped = api.provider.getTracer("@agentrt/runtime", "2.1.0", {
      schemaUrl: "https://example.test/schema",
    });
    const plain = api.provider.getTracer("@agentrt/server");

    const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: 1,
      isRemote: true,
      traceState: createTraceState("vendor=abc,other=1"),
    });
    const request = plain.startSpan("POST /v1/agents/:agent/runs", { kind: SpanKind.SERVER }, remoteParent);
    request.setAttributes(EVERY_ATTRIBUTE);
    const inside = trace.setSpan(remoteParent, request);
    for (const kind of [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER]) {
      const child = scoped.startSpan(`kind ${kind}`, { kind }, inside);
      child.addEvent("progress", { step: "fetch", done: 3 });
      child.addEvent("bare");
      child.recordException(Object.assign(new Error("upstream said no"), { code: "UPSTREAM_FAILED" }));
      child.addLink({
        context: { traceId: "1".repeat(32), spanId: "2".repeat(16), traceFlags: 0, isRemote: true },
        attributes: { reason: "follows", n: 1 },
      });
      child.addLink({
        context: {
          traceId: "a".repeat(32),
          spanId: "b".repeat(16),
          traceFlags: 1,
          traceState: createTraceState("k=v"),
        },
      });
      child.setStatus({ code: SpanStatusCode.ERROR, message: "the step failed" });
      child.end();
    }
    const ok = scoped.startSpan("succeeded", {}, inside);
    ok.setStatus({ code: SpanStatusCode.OK });
    ok.end();
    request.end();
    const root = worker.provider.getTracer("@agentrt/runtime").startSpan("invoke_agent", {}, ROOT_CONTEXT);
    root.setAttribute("gen_ai.agent.name", "nightly");
    root.end();

    const spans = [...api.spans(), ...worker.spans()];
    expect(spans).toHaveLength(7);
    expectSameBytes(spans);
    // Interleaved resources and scopes are grouped the same way.
    expectSameBytes([spans[6]!, ...spans.slice(0, 6).reverse()]);
    expectSameBytes([]);
  });

  it("writes any attributes as the SDK's serializer does", () => {
    const { provider, spans } = recorder({ "service.name": "agentrt" });
    const tracer = provider.getTracer("property");
    const value = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.string({
        unit: fc.integer({ min: 0x20, max: 0x17f }).map((c) => String.fromCharCode(c)),
        maxLength: 20,
      }),
      fc.boolean(),
      fc.integer(),
      fc.maxSafeInteger(),
      fc.double(),
      fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }),
      fc.array(fc.double(), { maxLength: 5 }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 40 }), value),
        fc.string(),
        (attributes, name) => {
          const span = tracer.startSpan(name || "span", {}, ROOT_CONTEXT);
          span.setAttributes(attributes);
          span.end();
          const last = spans().slice(-1);
          expectSameBytes(last);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("grows past any batch and hands out bytes the next batch does not overwrite", () => {
    const { provider, spans } = recorder({ "service.name": "agentrt" });
    const tracer = provider.getTracer("big");
    for (let i = 0; i < 600; i++) {
      const span = tracer.startSpan(`span ${i}`, {}, ROOT_CONTEXT);
      span.setAttribute("payload", `${i}`.padEnd(4000, "."));
      span.end();
    }
    const big = spans();
    const first = serializeSpans(big);
    expect(first.length).toBeGreaterThan(2 ** 21); // a length that takes four bytes
    expect(Buffer.from(first).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(big)!))).toBe(true);
    const copy = Buffer.from(first);
    expectSameBytes(big.slice(0, 3));
    expect(Buffer.from(first).equals(copy)).toBe(true);
  });
});
