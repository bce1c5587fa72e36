import { startClientSpan } from "./client-span.js";
import { isEgressError } from "./egress-error.js";
import type { EgressFetch } from "./types.js";

/** One outbound HTTP request under an egress policy's `fetch`, with a bound on the answer. */
export interface HttpRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
  signal: AbortSignal;
  maxResponseBytes: number;
  /** `fetch` under the operator's egress policy. */
  fetch: EgressFetch;
}

export interface HttpAnswer {
  status: number;
  /** 2xx. */
  ok: boolean;
  /** Parsed JSON when the server says it is JSON, otherwise text. */
  body: unknown;
}

/**
 * Why a request got no usable answer: `url` (not an http(s) URL), `refused` (the egress policy
 * refused the target; `egress` says why), `network` (no answer: connection, DNS, blocked port),
 * `too_large` (the answer passed `maxResponseBytes`), `json` (said JSON, did not parse).
 */
export type HttpFailureReason = "url" | "refused" | "network" | "too_large" | "json";

export class HttpRequestError extends Error {
  override name = "HttpRequestError";
  readonly reason: HttpFailureReason;
  /** The policy's refusal rule and denied range, for `refused`. */
  readonly rule: string | undefined;
  readonly range: string | undefined;

  constructor(
    reason: HttpFailureReason,
    message: string,
    options: { cause?: unknown; rule?: string; range?: string | undefined } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.rule = options.rule;
    this.range = options.range;
  }
}

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new HttpRequestError("url", `"${text}" is not a URL`, { cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new HttpRequestError("url", `"${text}" is not an http(s) URL`);
  }
  return url;
}

/** The request's headers plus the trace's, unless the request sets those itself; as given when not tracing. */
function withTrace(headers: Headers, trace: Readonly<Record<string, string>>): Headers {
  const names = Object.keys(trace);
  if (names.length === 0) return headers;
  const traced = new Headers(headers);
  for (const name of names) if (!traced.has(name)) traced.set(name, trace[name]!);
  return traced;
}

/** fetch rejects with "fetch failed"; the cause says why (checked by shape, not `instanceof`). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  return typeof cause?.message === "string" ? cause.message : String(error);
}

const tooLarge = (maxBytes: number) =>
  new HttpRequestError("too_large", `response body exceeds ${maxBytes} bytes`);

/** Reads at most `maxBytes` of a body, cancelling the stream as soon as the limit is passed. */
async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes);
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && /^application\/([\w.-]+\+)?json\b/i.test(contentType.trim());
}

/** The body as parsed JSON when the server says it is JSON, otherwise as text. */
async function readBody(response: Response, maxBytes: number): Promise<unknown> {
  const text = new TextDecoder().decode(await readLimited(response, maxBytes));
  if (!isJsonContentType(response.headers.get("content-type")) || text === "") return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpRequestError("json", "response says it is JSON but does not parse", { cause: error });
  }
}

/**
 * One HTTP exchange: the (size-bounded, JSON-parsed when JSON) answer with its status, or an
 * `HttpRequestError` saying why there is none. Any status is an answer; callers decide what a
 * non-2xx means. Aborts propagate untouched so the caller can tell a timeout from a cancellation.
 */
export async function sendHttpRequest(request: HttpRequest): Promise<HttpAnswer> {
  const url = parseHttpUrl(request.url);
  const where = `${request.method} ${url.origin}${url.pathname}`;
  const span = startClientSpan(request.method, url);
  let response: Response;
  try {
    response = await request.fetch(url, {
      method: request.method,
      headers: withTrace(request.headers, span.headers),
      body: request.body,
      signal: request.signal,
    });
  } catch (error) {
    span.failed(error);
    if (request.signal.aborted) throw error;
    // A refusal names the rule and the range, never what a name resolved to.
    if (isEgressError(error)) {
      throw new HttpRequestError("refused", `${where} refused by the egress policy: ${error.message}`, {
        cause: error,
        rule: error.reason,
        range: error.range,
      });
    }
    throw new HttpRequestError("network", `${where} failed: ${networkReason(error)}`, { cause: error });
  }
  let body: unknown;
  try {
    body = await readBody(response, request.maxResponseBytes);
  } catch (error) {
    span.failed(error);
    throw error;
  }
  span.answered(response.status);
  return { status: response.status, ok: response.ok, body };
}
