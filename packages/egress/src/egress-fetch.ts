import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { isEgressError } from "./egress-error.js";
import type { EgressFetch } from "./types.js";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/** Dropped when a redirect leaves the origin, as `fetch` does. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/** `fetch` reports network failures as `TypeError("fetch failed")` with the reason as `cause`. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}

/** Bodies arrive as the server sent them; decode the encodings `fetch` decodes. */
function decoded(response: IncomingMessage): Readable {
  const encoding = String(response.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  const decoder =
    encoding === "gzip" || encoding === "x-gzip"
      ? createGunzip()
      : encoding === "deflate"
        ? createInflate()
        : encoding === "br"
          ? createBrotliDecompress()
          : undefined;
  if (!decoder) return response;
  response.on("error", (error) => decoder.destroy(error));
  return response.pipe(decoder);
}

function toResponse(message: IncomingMessage, url: URL, method: string, redirected: boolean): Response {
  const status = message.statusCode ?? 0;
  const headers = new Headers();
  for (let i = 0; i + 1 < message.rawHeaders.length; i += 2) {
    headers.append(message.rawHeaders[i]!, message.rawHeaders[i + 1]!);
  }
  const hasBody = method !== "HEAD" && !NULL_BODY_STATUSES.has(status);
  if (!hasBody) message.resume();
  let response: Response;
  try {
    const body = hasBody ? (Readable.toWeb(decoded(message)) as ReadableStream<Uint8Array>) : null;
    response = new Response(body, { status, statusText: message.statusMessage ?? "", headers });
  } catch (error) {
    message.destroy();
    throw fetchFailed(error);
  }
  Object.defineProperties(response, { url: { value: url.href }, redirected: { value: redirected } });
  return response;
}

interface Hop {
  url: URL;
  method: string;
  headers: Headers;
  body: Buffer | undefined;
}

/**
 * `fetch` over `node:http(s)` with agents whose `lookup` is the policy's: each new connection
 * resolves once, checks every address and connects to a checked one; IP literal hosts never reach
 * `lookup`, so `checkUrl` runs before every hop. Redirects are followed by hand so each hop is
 * checked again.
 */
export function createEgressFetch(deps: {
  checkUrl: (url: string | URL) => URL;
  lookup: LookupFunction;
  maxRedirects: number;
}): { fetch: EgressFetch; close: () => void } {
  const agentOptions = { keepAlive: true, scheduling: "lifo" as const, timeout: 5_000, lookup: deps.lookup };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);

  function send(hop: Hop, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const https = hop.url.protocol === "https:";
      const req = (https ? httpsRequest : httpRequest)(hop.url, {
        method: hop.method,
        headers: Object.fromEntries(hop.headers),
        agent: https ? httpsAgent : httpAgent,
        signal,
      });
      req.once("response", resolve);
      req.once("error", (error) => {
        if (signal.aborted) reject(signal.reason);
        else if (isEgressError(error) && error.refused) reject(error);
        else reject(fetchFailed(error));
      });
      req.end(hop.body);
    });
  }

  /** Refusals throw as they are; a blocked port fails like a network error, as in `fetch`. */
  function check(url: string | URL): URL {
    try {
      return deps.checkUrl(url);
    } catch (error) {
      throw isEgressError(error) && !error.refused ? fetchFailed(error) : error;
    }
  }

  async function egressFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const first = check(input instanceof Request ? input.url : input);
    const request = new Request(input instanceof Request ? input : first, init);
    const signal = request.signal;
    signal.throwIfAborted();
    const hop: Hop = {
      url: first,
      method: request.method,
      headers: new Headers(request.headers),
      body: request.body ? Buffer.from(await request.arrayBuffer()) : undefined,
    };
    if (!hop.headers.has("accept")) hop.headers.set("accept", "*/*");
    for (let redirects = 0; ; redirects++) {
      const message = await send(hop, signal);
      const status = message.statusCode ?? 0;
      const location = message.headers.location;
      if (request.redirect === "manual" || !REDIRECT_STATUSES.has(status) || location === undefined) {
        return toResponse(message, hop.url, hop.method, redirects > 0);
      }
      message.resume();
      if (request.redirect === "error") throw fetchFailed(new Error(`unexpected redirect (HTTP ${status})`));
      if (redirects >= deps.maxRedirects) {
        throw fetchFailed(new Error(`more than ${deps.maxRedirects} redirects`));
      }
      let next: URL;
      try {
        next = new URL(location, hop.url);
      } catch (error) {
        throw fetchFailed(error);
      }
      check(next);
      // As `fetch`: 303 turns anything but GET/HEAD into a bodiless GET, 301/302 do so for POST.
      if (
        (status === 303 && hop.method !== "GET" && hop.method !== "HEAD") ||
        (status <= 302 && hop.method === "POST")
      ) {
        hop.method = "GET";
        hop.body = undefined;
        for (const name of ["content-type", "content-length", "content-encoding", "content-language"]) {
          hop.headers.delete(name);
        }
      }
      if (next.origin !== hop.url.origin) for (const name of CREDENTIAL_HEADERS) hop.headers.delete(name);
      hop.url = next;
    }
  }

  return {
    fetch: egressFetch,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
