import {
  AgentrtError,
  ErrorCode,
  type ErrorDeclarations,
  isAgentrtError,
  isErrorCode,
  TEMPLATE_ERROR_CODE_PATTERN,
  type Template,
} from "@agentrt/core";

const DECLARED_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Checks a template's `errors` at load: UPPER_SNAKE codes that are not host codes, each with an
 * HTTP error status. Returns the problem, or undefined when the declarations are sound.
 */
export function checkErrorDeclarations(errors: ErrorDeclarations | undefined): string | undefined {
  for (const [code, declaration] of Object.entries(errors ?? {})) {
    if (!DECLARED_CODE.test(code)) return `error code ${JSON.stringify(code)} is not UPPER_SNAKE_CASE`;
    if (isErrorCode(code)) return `error code ${code} is a host code; declare a code of the template's own`;
    const status = (declaration as { status?: unknown } | null)?.status;
    if (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 599)
      return `error code ${code} needs an HTTP error status (400-599), got ${JSON.stringify(status)}`;
  }
  return undefined;
}

/** True for codes clients may see: host codes and namespaced template codes. */
export function isReportableCode(code: string): boolean {
  return isErrorCode(code) || TEMPLATE_ERROR_CODE_PATTERN.test(code);
}

/**
 * An error that left a template, as the host reports it: a code the template declared becomes
 * `<template>.<CODE>`; host codes and codes already namespaced (from an agent it invoked) stay; any
 * other code is not part of the template's contract and becomes RUN_FAILED, keeping it in details.
 */
export function qualifyError(error: unknown, template: Pick<Template, "name" | "errors">): unknown {
  const code = isAgentrtError(error)
    ? error.code
    : error instanceof Error && typeof (error as { code?: unknown }).code === "string"
      ? (error as unknown as { code: string }).code
      : undefined;
  if (code === undefined || isReportableCode(code)) return error;
  const declared = Object.hasOwn(template.errors ?? {}, code);
  const message = (error as Error).message;
  const issues = isAgentrtError(error) ? error.issues : undefined;
  const details = isAgentrtError(error) ? error.details : undefined;
  return new AgentrtError(declared ? `${template.name}.${code}` : ErrorCode.RUN_FAILED, message, {
    ...(issues ? { issues } : {}),
    details: declared ? details : { ...details, templateCode: code },
    cause: error,
  });
}
