import type { IncomingMessage } from "node:http";
import { request } from "node:https";
import { isIP } from "node:net";
import { rootCertificates } from "node:tls";
import { isAgentrtError } from "@agentrt/core";
import { createCodeError } from "./code-error.js";
import { CustomErrorCode } from "./errors.js";
import { parseCodeUrl, type ResolvedAddress, resolveAllowedAddress, type UrlPolicy } from "./url-policy.js";

export interface LoadUrlCodeOptions extends UrlPolicy {
  /** Extra PEM certificate authorities, trusted on top of Node's bundled roots. */
  ca?: string | readonly string[];
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Wall-time cap for the whole fetch, every redirect included. */
  timeoutMs: number;
  /** Redirects followed at most; each hop is checked like the first URL. */
  maxRedirects?: number;
}

export interface LoadedUrlCode {
  source: string;
  /** The URL the code finally came from, after redirects. */
  url: string;
}

type Hop = { redirect: string } | { body: Buffer };

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

function fetchFailed(message: string, details: Record<string, unknown> = {}) {
  return createCodeError(CustomErrorCode.CODE_FETCH_FAILED, message, details);
}

async function readCapped(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers["content-length"]);
  if (declared > maxBytes) {
    response.destroy();
    throw fetchFailed(`the code is larger than ${maxBytes} bytes`, { reason: "size" });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      response.destroy();
      throw fetchFailed(`the code is larger than ${maxBytes} bytes`, { reason: "size" });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** One GET against the already-checked address; the host name is only used for TLS and `Host`. */
function requestHop(
  url: URL,
  target: ResolvedAddress,
  options: LoadUrlCodeOptions,
  signal: AbortSignal,
): Promise<Hop> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const ca = options.ca === undefined ? undefined : [...rootCertificates, ...[options.ca].flat()];
  return new Promise<Hop>((resolve, reject) => {
    const req = request(
      {
        host: target.address,
        family: target.family,
        port: url.port || 443,
        path: `${url.pathname}${url.search}`,
        method: "GET",
        // Certificate and SNI are checked against the name the user wrote, not the pinned address.
        servername: isIP(hostname) ? undefined : hostname,
        headers: { host: url.host, accept: "*/*", "user-agent": "agentrt-template-custom" },
        ...(ca ? { ca } : {}),
        agent: false,
        signal,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (redirectStatuses.has(status)) {
          response.resume();
          const location = response.headers.location;
          if (!location)
            reject(fetchFailed(`HTTP ${status} without a Location header`, { reason: "status" }));
          else resolve({ redirect: new URL(location, url).href });
          return;
        }
        if (status < 200 || status > 299) {
          response.resume();
          reject(fetchFailed(`${url.href} answered HTTP ${status}`, { reason: "status", status }));
          return;
        }
        readCapped(response, options.maxBytes).then((body) => resolve({ body }), reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** DNS lookups cannot be aborted, so the deadline races them instead. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, toError: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(toError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(toError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Fetches user code from a URL the way an SSRF-aware client must: every hop is parsed, matched
 * against the host allow-list, resolved, and each resolved address checked; the connection goes to
 * that checked address (DNS rebinding cannot swap it); redirects are followed by hand up to
 * `maxRedirects`; body size and total time are capped. Failures are `URL_NOT_ALLOWED` (policy) or
 * `CODE_FETCH_FAILED` (network, HTTP status, size, time, encoding), each with a `content` issue.
 */
export async function loadUrlCode(rawUrl: string, options: LoadUrlCodeOptions): Promise<LoadedUrlCode> {
  const maxRedirects = options.maxRedirects ?? 3;
  const signal = AbortSignal.timeout(options.timeoutMs);
  const timedOut = () =>
    fetchFailed(`fetching the code took longer than ${options.timeoutMs} ms`, { reason: "timeout" });
  let current = rawUrl;
  for (let hop = 0; ; hop++) {
    const url = parseCodeUrl(current, options.allowHosts);
    const target = await untilAborted(resolveAllowedAddress(url, options), signal, timedOut);
    let result: Hop;
    try {
      result = await requestHop(url, target, options, signal);
    } catch (error) {
      if (signal.aborted) throw timedOut();
      if (isAgentrtError(error)) throw error;
      throw fetchFailed(`cannot fetch ${url.href}: ${(error as Error).message}`, { reason: "network" });
    }
    if ("body" in result) {
      try {
        return { source: new TextDecoder("utf-8", { fatal: true }).decode(result.body), url: url.href };
      } catch {
        throw fetchFailed(`${url.href} did not return UTF-8 text`, { reason: "encoding" });
      }
    }
    if (hop >= maxRedirects) {
      throw fetchFailed(`more than ${maxRedirects} redirects`, { reason: "redirects" });
    }
    current = result.redirect;
  }
}
