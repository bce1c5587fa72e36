import { isIP } from "node:net";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import { createEgressPolicy, isEgressError, type Resolver, startClientSpan } from "@agentrt/egress";
import { SandboxErrorCode } from "./errors.js";
import type { HostFetchRequest, HostFetchResponse } from "./protocol.js";

export interface HostFetchOptions {
  allowList: string[];
  /**
   * Internal destinations the allow-listed hosts may resolve to (egress allow-list entries: host
   * names, IP addresses, CIDR ranges). IP addresses named in `allowList` count already.
   */
  allowInternal?: readonly string[];
  /** Replaces the system resolver (tests, private DNS). */
  resolve?: Resolver;
  timeoutMs?: number;
  maxBodyBytes?: number;
}

/** The IP address a pattern names itself (`127.0.0.1:8080`, `::1`, `[::1]:8080`), if any. */
function namedAddress(pattern: string): string | undefined {
  const bracketed = pattern.replace(/^\[(.*)\](:\d+)?$/, "$1");
  if (isIP(bracketed)) return bracketed;
  const host = pattern.split(/:(?=\d+$)/)[0]!;
  return isIP(host) ? host : undefined;
}

/** Addresses the operator named in `allowList` are chosen, not resolved: the egress policy lets them through. */
function namedAddresses(allowList: readonly string[]): string[] {
  return allowList.flatMap((pattern) => namedAddress(pattern) ?? []);
}

/**
 * `ctx.fetch` as the host performs it for sandboxed code: http(s) only, host (and optional port)
 * must match the operator's allow-list, and the connection goes only to addresses the egress policy
 * accepts (`@agentrt/egress`: resolved once and pinned, so an allow-listed name that resolves to a
 * loopback, private or metadata address is refused). Redirects are not followed (a 3xx is returned
 * as is, so a redirect cannot lead outside the list); time and body size are capped. Each request is
 * an HTTP client span in the caller's trace, and carries that trace to the server (`traceparent`)
 * unless the code set its own.
 */
export function createHostFetch(
  options: HostFetchOptions,
): (request: HostFetchRequest) => Promise<HostFetchResponse> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const egress = createEgressPolicy({
    allow: [...namedAddresses(options.allowList), ...(options.allowInternal ?? [])],
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  return async (request) => {
    const url = parseUrl(request.url);
    if (!isHostAllowed(url, options.allowList)) {
      throw new AgentrtError(SandboxErrorCode.URL_NOT_ALLOWED, `${url.host} is not on the fetch allow-list`);
    }
    const span = startClientSpan(request.method, url);
    try {
      let response: Response;
      try {
        response = await egress.fetch(url, {
          method: request.method,
          headers: { ...span.headers, ...request.headers },
          ...(request.body === undefined ? {} : { body: request.body }),
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // The user's code learns the rule, never what an allow-listed name resolved to.
        if (isEgressError(error)) throw new AgentrtError(SandboxErrorCode.URL_NOT_ALLOWED, error.message);
        throw error;
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        headers[key] = value;
      });
      const answer = {
        status: response.status,
        statusText: response.statusText,
        headers,
        body: await readCapped(response, maxBodyBytes),
      };
      span.answered(response.status);
      return answer;
    } catch (error) {
      span.failed(error);
      throw error;
    }
  };
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AgentrtError(SandboxErrorCode.URL_NOT_ALLOWED, "invalid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AgentrtError(SandboxErrorCode.URL_NOT_ALLOWED, `${url.protocol} URLs are not allowed`);
  }
  return url;
}

/** Patterns: `example.com`, `*.example.com` (subdomains only), optionally with `:port`. */
export function isHostAllowed(url: URL, allowList: string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allowList.some((pattern) => {
    const [patternHost = "", patternPort] = pattern.toLowerCase().split(/:(?=\d+$)/);
    if (patternPort !== undefined && patternPort !== port) return false;
    if (patternHost.startsWith("*.")) return host.endsWith(patternHost.slice(1));
    return host === patternHost;
  });
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return "";
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new AgentrtError(
        ErrorCode.RESPONSE_TOO_LARGE,
        `the response body is larger than ${maxBytes} bytes`,
      );
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
