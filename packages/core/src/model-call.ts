/** The attribute values a model call's span carries (a subset of OpenTelemetry's `AttributeValue`). */
export type ModelCallAttributeValue = string | number | string[];

/**
 * What a model call's attributes are set on: an OpenTelemetry `Span` fits. Structural, so core does
 * not depend on the OpenTelemetry API.
 */
export interface AttributeSink {
  setAttribute(key: string, value: ModelCallAttributeValue): unknown;
}

/** One model call, as its span describes it. */
export interface ModelCall {
  /** The model asked for. */
  model: string;
  /** The endpoint called: its host and port are the span's `server.address` and `server.port`. */
  url: URL | string;
  /** `gen_ai.provider.name`; agentrt's templates call OpenAI-compatible endpoints. Default `openai`. */
  provider?: string | undefined;
  usage?: { promptTokens: number; completionTokens: number } | undefined;
  finishReason?: string | null | undefined;
  /** Set when the call failed: `error.type` is its `code`, else its `name`. */
  error?: unknown;
}

/**
 * Sets a chat model call's attributes by the OpenTelemetry GenAI semantic conventions, so the model
 * calls of every template read alike in a trace backend. Set them when the call ends, on a span
 * that records: no sampler the `OTEL_*` variables configure reads attributes, and the SDK cleans
 * those given at the start twice, before its sampler has decided.
 */
export function setModelCallAttributes(span: AttributeSink, call: ModelCall): void {
  const { hostname, port } = typeof call.url === "string" ? new URL(call.url) : call.url;
  span.setAttribute("gen_ai.operation.name", "chat");
  span.setAttribute("gen_ai.provider.name", call.provider ?? "openai");
  span.setAttribute("gen_ai.request.model", call.model);
  span.setAttribute("server.address", hostname);
  if (port) span.setAttribute("server.port", Number(port));
  if (call.usage) {
    span.setAttribute("gen_ai.usage.input_tokens", call.usage.promptTokens);
    span.setAttribute("gen_ai.usage.output_tokens", call.usage.completionTokens);
  }
  if (call.finishReason) span.setAttribute("gen_ai.response.finish_reasons", [call.finishReason]);
  if (call.error !== undefined) {
    const error = call.error as { code?: unknown; name?: unknown } | null;
    const type = error?.code ?? error?.name;
    span.setAttribute("error.type", typeof type === "string" && type ? type : "Error");
  }
}
