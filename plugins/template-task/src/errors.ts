import {
  type ErrorDeclarations,
  errorCodes,
  isErrorCode,
  type RunError,
  TEMPLATE_ERROR_CODE_PATTERN,
  toErrorInfo,
} from "@agentrt/core";

/** The template's name: agents are created with it, and clients see its own codes as `task.<CODE>`. */
export const TEMPLATE_NAME = "task";

/**
 * The template's own error codes with the HTTP status the host answers with. The one declaration:
 * `defineTemplate` gets it as `errors`, the code that throws takes the codes from `TaskError`.
 */
export const TASK_ERRORS = {
  STEP_FAILED: {
    status: 500,
    description:
      "A step failed (in strict mode the run fails with it; details name the step, its own code and attempts), or a step was stopped because another one failed",
  },
  STEP_TIMEOUT: {
    status: 504,
    description: "An attempt of a step ran longer than the config's stepTimeout",
  },
  URL_NOT_ALLOWED: {
    status: 422,
    description:
      "An http or llm step's URL (or a redirect it got) is refused by the egress policy: not http(s), or a loopback, private, link-local or other internal address the operator has not allowed",
  },
} as const satisfies ErrorDeclarations;

export type TaskErrorCode = keyof typeof TASK_ERRORS;

/** `{ STEP_FAILED: "STEP_FAILED", … }`: the codes to throw. */
export const TaskError = errorCodes(TASK_ERRORS);

/** One of the template's codes as clients see it, e.g. `task.STEP_FAILED`. */
export function reportedCode(code: TaskErrorCode): string {
  return `${TEMPLATE_NAME}.${code}`;
}

const isTaskErrorCode = (code: string): code is TaskErrorCode => Object.hasOwn(TASK_ERRORS, code);

/**
 * A step's failure as recorded in its `step.finished` event and in the run's output. The host
 * namespaces only errors thrown out of the template; events and output reach clients as written
 * (and an event's code must be a host code or a namespaced one), so the template's own codes get
 * their `task.` prefix here. A code that is neither is not part of the contract: the step fails with
 * `task.STEP_FAILED` and keeps it as `details.stepCode`.
 */
export function toStepError(error: unknown): RunError {
  const info = toErrorInfo(error, TaskError.STEP_FAILED);
  if (isTaskErrorCode(info.code)) return { ...info, code: reportedCode(info.code) };
  if (isErrorCode(info.code) || TEMPLATE_ERROR_CODE_PATTERN.test(info.code)) return info;
  return {
    ...info,
    code: reportedCode(TaskError.STEP_FAILED),
    details: { ...info.details, stepCode: info.code },
  };
}
