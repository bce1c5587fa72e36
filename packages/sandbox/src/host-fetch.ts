import { AgentrtError, ErrorCode } from "@agentrt/core";
import { SandboxErrorCode } from "./errors.js";
import type { HostFetchRequest, HostFetchResponse } from "./protocol.js";

export interface HostFetchOptions {
  allowList: string[];
  timeoutMs?: number;
  maxBodyBytes?: number;
}

/**
 * `ctx.fetch` as the host performs it for sandboxed code: http(s) only, host (and optional port)
 * must match the operator's allow-list, redirects are not followed (a 3xx is returned as is, so a
 * redirect cannot lead outside the list), time and body size are capped.
 */
export function createHostFetch(
  options: HostFetchOptions,
): (request: HostFetchRequest) => Promise<HostFetchResponse> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  return async (request) => {
    const url = parseUrl(request.url);
    if (!isHostAllowed(url, options.allowList)) {
      throw new AgentrtError(SandboxErrorCode.URL_NOT_ALLOWED, `${url.host} is not on the fetch allow-list`);
    }
    const response = await fetch(url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    return {
      status: response.status,
      statusText: response.statusText,
      headers,
      body: await readCapped(response, maxBodyBytes),
    };
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
