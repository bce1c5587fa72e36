import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

/** A no-op until the host registers an OpenTelemetry SDK. */
const tracer = trace.getTracer("@agentrt/egress");

/** An outbound HTTP request's client span, a child of the active one. */
export interface ClientSpan {
  /**
   * What carries the trace to the server (`traceparent`, and whatever else the host's propagators
   * write); empty when not tracing. Headers the request sets itself take precedence.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Ends the span with the answer's status (4xx and 5xx are errors, as for every client span). */
  answered(status: number): void;
  /** Ends the span without an answer: the error's code, or its name, is the `error.type`. */
  failed(error: unknown): void;
}

/**
 * Starts the client span of one request (HTTP semantic conventions; never the full URL, whose query
 * may hold credentials). Its attributes are set when it ends, on a span that records (the SDK
 * cleans attributes given at the start even for spans it then drops).
 */
export function startClientSpan(method: string, url: URL): ClientSpan {
  const span = tracer.startSpan(method, { kind: SpanKind.CLIENT });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  const end = (status: number | undefined, error?: { type: string; message: string }) => {
    if (span.isRecording()) {
      span.setAttribute("http.request.method", method);
      // An IPv6 literal without its URL brackets.
      span.setAttribute("server.address", url.hostname.replace(/^\[(.*)\]$/, "$1"));
      span.setAttribute("server.port", Number(url.port) || (url.protocol === "https:" ? 443 : 80));
      span.setAttribute("url.scheme", url.protocol.slice(0, -1));
      if (status !== undefined) span.setAttribute("http.response.status_code", status);
      if (error) {
        span.setAttribute("error.type", error.type);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      }
    }
    span.end();
  };
  return {
    headers,
    answered: (status) =>
      end(status, status >= 400 ? { type: String(status), message: `HTTP ${status}` } : undefined),
    failed(error) {
      const { code, name, message } = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
      const type =
        typeof code === "string" && code ? code : typeof name === "string" && name ? name : "Error";
      end(undefined, { type, message: typeof message === "string" ? message : String(error) });
    },
  };
}
