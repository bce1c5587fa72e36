import { readPath, renderString } from "../render.js";
import type { StepOf } from "../step-schema.js";
import type { StepContext, StepResult } from "./step-context.js";

/** Reshapes earlier outputs and the input declaratively; missing values become null. */
export async function runTransformStep(step: StepOf<"transform">, ctx: StepContext): Promise<StepResult> {
  if (step.map !== undefined) {
    const entries = Object.entries(step.map).map(([key, path]) => [key, readPath(ctx.scope, path) ?? null]);
    return { output: Object.fromEntries(entries) };
  }
  if (step.pick !== undefined) return { output: readPath(ctx.scope, step.pick) ?? null };
  return { output: renderString(step.template ?? "", ctx.scope) };
}
