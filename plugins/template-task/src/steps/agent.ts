import { renderValue } from "../render.js";
import type { StepOf } from "../step-schema.js";
import type { StepContext, StepResult } from "./step-context.js";

/** Runs another agent through the host and uses its output. */
export async function runAgentStep(step: StepOf<"agent">, ctx: StepContext): Promise<StepResult> {
  const input = renderValue(step.input, ctx.scope);
  return { output: await ctx.invokeAgent(step.agent, input, { signal: ctx.signal }) };
}
