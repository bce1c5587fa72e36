import { AgentrtError } from "@agentrt/core";
import {
  type RenderOptions,
  RequestTemplateError,
  renderString as renderTemplateString,
  renderValue as renderTemplateValue,
  resolvePath,
} from "@agentrt/egress";
import { TaskError } from "./errors.js";
import { parseReference, TASK_PATHS } from "./references.js";
import { createStepError } from "./step-error.js";

/** What templates can see: the run input and the outputs of steps that already succeeded. */
export type TaskScope = {
  input: unknown;
  steps: Record<string, { output: unknown }>;
};

/** Task templates read `input` and step outputs; a missing value is `""` in text. */
export const TASK_RENDER: RenderOptions = { check: TASK_PATHS, missing: "empty" };

/** A template that cannot render fails the step; another attempt would render it the same way. */
export function toRenderFailure(error: unknown): unknown {
  if (!(error instanceof RequestTemplateError)) return error;
  return createStepError(TaskError.STEP_FAILED, error.message, {
    retryable: false,
    details: { reason: error.reason },
  });
}

/** Reads a bare transform path such as `steps.fetch.output.title`. */
export function readPath(scope: TaskScope, path: string): unknown {
  const parsed = parseReference(path);
  if (!parsed.ok) throw new AgentrtError(TaskError.STEP_FAILED, parsed.message);
  return resolvePath(scope, parsed.value.segments);
}

/** `@agentrt/egress`'s `renderString` over the task scope. */
export function renderString(text: string, scope: TaskScope): string {
  try {
    return renderTemplateString(text, scope, TASK_RENDER);
  } catch (error) {
    throw toRenderFailure(error);
  }
}

/** `@agentrt/egress`'s `renderValue` over the task scope (a whole placeholder keeps its type). */
export function renderValue(value: unknown, scope: TaskScope): unknown {
  try {
    return renderTemplateValue(value, scope, TASK_RENDER);
  } catch (error) {
    throw toRenderFailure(error);
  }
}
