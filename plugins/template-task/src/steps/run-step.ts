import type { Step } from "../step-schema.js";
import { runAgentStep } from "./agent.js";
import { runHttpStep } from "./http.js";
import { runLlmStep } from "./llm.js";
import type { StepContext, StepResult } from "./step-context.js";
import { runTransformStep } from "./transform.js";
import { runWaitStep } from "./wait.js";

/** Runs one attempt of a step of any kind. */
export function runStep(step: Step, ctx: StepContext): Promise<StepResult> {
  switch (step.kind) {
    case "http":
      return runHttpStep(step, ctx);
    case "transform":
      return runTransformStep(step, ctx);
    case "llm":
      return runLlmStep(step, ctx);
    case "wait":
      return runWaitStep(step, ctx);
    case "agent":
      return runAgentStep(step, ctx);
  }
}
