import { type KeySource, lookupApiKey } from "@agentrt/core";
import { type EgressFetch, HttpRequestError, sendHttpRequest } from "@agentrt/egress";
import type { ServerToolConfig } from "./config-schema.js";
import type { ServerTool } from "./server-tools.js";

/** Answers past this are refused while reading, before `maxToolResultChars` cuts what the model sees. */
export const HTTP_TOOL_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

type HttpToolConfig = Extract<ServerToolConfig, { type: "http" }>;

function parseArguments(args: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(args || "{}");
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error("the arguments are not a JSON object");
  }
  return parsed as Record<string, unknown>;
}

async function headersOf(config: HttpToolConfig, keys: KeySource): Promise<Headers> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(config.headers)) {
    if (typeof value === "string") {
      headers.set(name, value);
      continue;
    }
    // Read per call, like the model key, so a rotated secret takes effect at once.
    const found = await lookupApiKey(value, keys);
    if ("message" in found) throw new Error(`header ${name}: ${found.message}`);
    headers.set(name, found.key);
  }
  return headers;
}

/**
 * An `http` tool: the model's arguments go to the configured URL (query parameters for GET and
 * DELETE, a JSON body otherwise) through the shared `sendHttpRequest` under the operator's egress
 * policy, and the answer is the result. A refusal, a network failure, a non-2xx answer or one over
 * the size bound is thrown, so the model gets it as an error result.
 */
export function httpTool(config: HttpToolConfig, keys: KeySource, fetch: EgressFetch): ServerTool {
  return {
    definition: {
      type: "function",
      function: { name: config.name, description: config.description, parameters: config.parameters },
    },
    async run(args, _runCtx, signal) {
      const parsed = parseArguments(args);
      const headers = await headersOf(config, keys);
      const url = new URL(config.url);
      let body: string | undefined;
      if (config.method === "GET" || config.method === "DELETE") {
        for (const [name, value] of Object.entries(parsed)) {
          url.searchParams.set(name, typeof value === "string" ? value : JSON.stringify(value));
        }
      } else {
        body = JSON.stringify(parsed);
        if (!headers.has("content-type")) headers.set("content-type", "application/json");
      }
      try {
        const answer = await sendHttpRequest({
          url: url.href,
          method: config.method,
          headers,
          body,
          signal,
          maxResponseBytes: HTTP_TOOL_MAX_RESPONSE_BYTES,
          fetch,
        });
        if (!answer.ok) {
          const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
          throw new Error(
            `${config.method} ${url.origin}${url.pathname} answered ${answer.status}: ${text.slice(0, 500)}`,
          );
        }
        return answer.body;
      } catch (error) {
        if (error instanceof HttpRequestError) throw new Error(error.message);
        throw error;
      }
    },
  };
}
