import type { IncomingHttpHeaders } from "node:http";
import type { TLSSocket } from "node:tls";
import {
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from "@opentelemetry/api";
import type { Context as HonoContext, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "./types.js";

const tracer = trace.getTracer("@agentrt/server");

/** Node's parsed request headers (lower-cased names): read in place, no Fetch `Headers` built. */
const nodeHeaders: TextMapGetter<IncomingHttpHeaders> = {
  get: (headers, key) => headers[key],
  keys: (headers) => Object.keys(headers),
};

/** The Fetch request's headers, when the app is not served by @hono/node-server (tests, other hosts). */
const fetchHeaders: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/** The `host` header's host (an IPv6 literal without its brackets) and port, if it names one. */
function hostAndPort(host: string): { address: string; port: number | undefined } {
  const close = host.startsWith("[") ? host.indexOf("]") : -1;
  const colon = host.indexOf(":", close + 1);
  const address = close === -1 ? (colon === -1 ? host : host.slice(0, colon)) : host.slice(1, close);
  const port = colon === -1 ? Number.NaN : Number(host.slice(colon + 1));
  return { address, port: Number.isInteger(port) && port > 0 ? port : undefined };
}

/** `server.address` and `server.port` (the scheme's default when the host names none). */
function setServerAttributes(span: Span, host: string, scheme: string): void {
  const { address, port } = hostAndPort(host);
  span.setAttribute("server.address", address);
  span.setAttribute("server.port", port ?? (scheme === "https" ? 443 : 80));
}

/**
 * Sets the span's `url.*` and `server.*`. Served by @hono/node-server, they come from what Hono
 * and Node already parsed: building and parsing the full URL again cost more than the span's own
 * bookkeeping.
 */
function setUrlAttributes(span: Span, c: HonoContext<AppEnv>): void {
  const incoming = c.env?.incoming;
  if (!incoming) {
    const url = new URL(c.req.url);
    const scheme = url.protocol.slice(0, -1);
    span.setAttribute("url.path", url.pathname);
    span.setAttribute("url.scheme", scheme);
    setServerAttributes(span, url.host, scheme);
    return;
  }
  const host = incoming.headers.host;
  const target = incoming.url ?? "/";
  const query = target.indexOf("?");
  const scheme = (incoming.socket as Partial<TLSSocket>).encrypted ? "https" : "http";
  span.setAttribute("url.path", query === -1 ? target : target.slice(0, query));
  span.setAttribute("url.scheme", scheme);
  if (host) setServerAttributes(span, host, scheme);
}

/**
 * A server span per request (HTTP semantic conventions), named by the route pattern, never the raw
 * path; the caller's `traceparent` is its parent. Everything the request does, including runs it
 * queues, happens in this span's context. Installed only when tracing is on.
 *
 * Its attributes are set once, when the response is known, and only on a span that records. The
 * conventions ask for the request's at the start, for samplers; but no sampler the `OTEL_*`
 * variables configure reads attributes, and the SDK cleans those given at the start twice, and
 * before its sampler has decided, so a dropped span paid for them too.
 */
export function traceRequests(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.env?.incoming;
    const parent = incoming
      ? propagation.extract(context.active(), incoming.headers, nodeHeaders)
      : propagation.extract(context.active(), c.req.raw.headers, fetchHeaders);
    const method = c.req.method;
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER }, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      if (span.isRecording()) {
        const route = routePath(c, -1);
        const status = c.res.status;
        span.updateName(`${method} ${route}`);
        span.setAttribute("http.request.method", method);
        setUrlAttributes(span, c);
        span.setAttribute("http.route", route);
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) {
          span.setAttribute("error.type", String(status));
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
