import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from "@opentelemetry/api";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";

const tracer = trace.getTracer("@agentrt/server");

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * A server span per request (HTTP semantic conventions), named by the route pattern, never the raw
 * path; the caller's `traceparent` is its parent. Everything the request does, including runs it
 * queues, happens in this span's context. Installed only when tracing is on.
 */
export function traceRequests(): MiddlewareHandler {
  return async (c, next) => {
    const parent = propagation.extract(context.active(), c.req.raw.headers, headerGetter);
    const method = c.req.method;
    const span = tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": method } },
      parent,
    );
    // A span the sampler dropped records nothing: parsing the URL for it would be wasted per request.
    const recording = span.isRecording();
    if (recording) {
      const url = new URL(c.req.url);
      span.setAttributes({
        "url.path": url.pathname,
        "url.scheme": url.protocol.replace(/:$/, ""),
        "server.address": url.hostname,
      });
    }
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      if (recording) {
        const route = routePath(c, -1);
        span.updateName(`${method} ${route}`);
        span.setAttributes({ "http.route": route, "http.response.status_code": c.res.status });
        if (c.res.status >= 500) {
          span.setAttribute("error.type", String(c.res.status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
      span.end();
    }
  };
}

/** The trace id of the current span, for problem bodies and logs; undefined when not tracing. */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  return span && trace.isSpanContextValid(span) ? span.traceId : undefined;
}
