import { fetchUpstream } from "../fetch-upstream.js";
import { renderString, renderValue } from "../render.js";
import type { StepOf } from "../step-schema.js";
import type { StepContext, StepResult } from "./step-context.js";

/** Calls an HTTP endpoint; the step output is the response body (parsed when it is JSON). */
export async function runHttpStep(step: StepOf<"http">, ctx: StepContext): Promise<StepResult> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(step.headers ?? {}))
    headers.set(name, renderString(value, ctx.scope));
  let body: string | undefined;
  if (typeof step.body === "string") body = renderString(step.body, ctx.scope);
  else if (step.body !== undefined) {
    body = JSON.stringify(renderValue(step.body, ctx.scope));
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const output = await fetchUpstream({
    url: renderString(step.url, ctx.scope),
    method: step.method,
    headers,
    body,
    signal: ctx.signal,
    maxResponseBytes: ctx.maxResponseBytes,
    fetch: ctx.fetch,
  });
  return { output };
}
