import { renderRequest } from "@agentrt/egress";
import { readKey } from "../api-key.js";
import { fetchUpstream } from "../fetch-upstream.js";
import { TASK_RENDER, toRenderFailure } from "../render.js";
import type { StepOf } from "../step-schema.js";
import type { StepContext, StepResult } from "./step-context.js";

/**
 * Calls an HTTP endpoint, its request rendered by `@agentrt/egress`'s shared `renderRequest` (the
 * conversation template's http tools use it too); the step output is the response body (parsed
 * when it is JSON). A URL whose scheme, host or port is templated (`{{input.url}}`) is rendered as
 * a whole, and the egress policy judges where it points.
 */
export async function runHttpStep(step: StepOf<"http">, ctx: StepContext): Promise<StepResult> {
  const request = await renderRequest(step, ctx.scope, {
    ...TASK_RENDER,
    templatedOrigin: true,
    readSecret: (ref, header) => readKey(ref, ctx.keySource, header),
  }).catch((error: unknown) => {
    throw toRenderFailure(error);
  });
  const output = await fetchUpstream({
    ...request,
    signal: ctx.signal,
    maxResponseBytes: ctx.maxResponseBytes,
    fetch: ctx.fetch,
  });
  return { output };
}
