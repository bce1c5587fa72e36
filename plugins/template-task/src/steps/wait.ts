import { setTimeout as sleep } from "node:timers/promises";
import type { StepOf } from "../step-schema.js";
import type { StepContext, StepResult } from "./step-context.js";

/** Pauses the task; cancellation or the step timeout ends the wait at once. */
export async function runWaitStep(step: StepOf<"wait">, ctx: StepContext): Promise<StepResult> {
  await sleep(step.seconds * 1000, undefined, { signal: ctx.signal });
  return { output: { waitedSeconds: step.seconds } };
}
