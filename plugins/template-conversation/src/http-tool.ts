import { type KeySource, lookupApiKey } from "@agentrt/core";
import {
  type EgressFetch,
  hasPlaceholder,
  type RenderedRequest,
  renderRequest,
  sendHttpRequest,
} from "@agentrt/egress";
import { type ServerToolConfig, TOOL_ARGUMENTS } from "./config-schema.js";
import type { ServerTool } from "./server-tools.js";
import { parseArguments } from "./tool-arguments.js";

/** Answers past this are refused while reading, before `maxToolResultChars` cuts what the model sees. */
export const HTTP_TOOL_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

type HttpToolConfig = Extract<ServerToolConfig, { type: "http" }>;

/** A template that places no argument itself: no placeholder anywhere and no body. */
function placesNoArguments(config: HttpToolConfig): boolean {
  return (
    config.body === undefined &&
    [config.url, ...Object.values(config.headers)].every(
      (value) => typeof value !== "string" || !hasPlaceholder(value),
    )
  );
}

/** The arguments where a template without placeholders sends them: the query (GET, DELETE) or a JSON body. */
function attachArguments(request: RenderedRequest, args: Record<string, unknown>): RenderedRequest {
  if (request.method === "GET" || request.method === "DELETE") {
    const url = new URL(request.url);
    for (const [name, value] of Object.entries(args)) {
      url.searchParams.set(name, typeof value === "string" ? value : JSON.stringify(value));
    }
    return { ...request, url: url.href };
  }
  if (!request.headers.has("content-type")) request.headers.set("content-type", "application/json");
  return { ...request, body: JSON.stringify(args) };
}

/**
 * An `http` tool: its request template is rendered from the model's arguments by the shared
 * `renderRequest` (the task template's http step uses it too) and sent through `sendHttpRequest`
 * under the operator's egress policy; the answer is the result. A template without placeholders
 * sends the arguments as query parameters (GET, DELETE) or a JSON body. A template that does not
 * render (a missing argument, CR/LF in a header), a refusal, a network failure, a non-2xx answer or
 * one over the size bound is thrown, so the model gets it as an error result.
 */
export function httpTool(config: HttpToolConfig, keys: KeySource, fetch: EgressFetch): ServerTool {
  const fixed = placesNoArguments(config);
  return {
    definition: {
      type: "function",
      function: { name: config.name, description: config.description, parameters: config.parameters },
    },
    async run(args, _runCtx, signal) {
      const parsed = parseArguments(args);
      const rendered = await renderRequest(
        config,
        { args: parsed },
        {
          check: TOOL_ARGUMENTS,
          missing: "refuse",
          // Read per call, like the model key, so a rotated secret takes effect at once.
          async readSecret(ref, header) {
            const found = await lookupApiKey(ref, keys);
            if ("message" in found) throw new Error(`header ${header}: ${found.message}`);
            return found.key;
          },
        },
      );
      const request = fixed ? attachArguments(rendered, parsed) : rendered;
      const answer = await sendHttpRequest({
        ...request,
        signal,
        maxResponseBytes: HTTP_TOOL_MAX_RESPONSE_BYTES,
        fetch,
      });
      if (!answer.ok) {
        const url = new URL(request.url);
        const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
        throw new Error(
          `${request.method} ${url.origin}${url.pathname} answered ${answer.status}: ${text.slice(0, 500)}`,
        );
      }
      return answer.body;
    },
  };
}
