import { z } from "zod";

/**
 * Every error code the agentrt host reports, in one place. Codes are part of the public API: clients
 * branch on them, so a code is never renamed or reused for a different meaning. Templates add their
 * own codes with `errors` in `defineTemplate`; the host reports those as `<template>.<CODE>`.
 * The HTTP status for each host code is mapped once, in the server (`apps/server/src/lib/problem.ts`).
 */
export const ErrorCode = {
  // Requests
  BAD_REQUEST: "BAD_REQUEST",
  MALFORMED_JSON: "MALFORMED_JSON",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  VALIDATION_FAILED: "VALIDATION_FAILED",
  UNSUPPORTED_PARAMETER: "UNSUPPORTED_PARAMETER",
  ROUTE_NOT_FOUND: "ROUTE_NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  RATE_LIMITED: "RATE_LIMITED",
  INTERNAL: "INTERNAL",
  NOT_READY: "NOT_READY",
  // Templates
  TEMPLATE_NOT_FOUND: "TEMPLATE_NOT_FOUND",
  TEMPLATE_VERSION_NOT_FOUND: "TEMPLATE_VERSION_NOT_FOUND",
  TEMPLATE_INCOMPATIBLE: "TEMPLATE_INCOMPATIBLE",
  TEMPLATE_INVALID: "TEMPLATE_INVALID",
  TEMPLATE_DUPLICATE: "TEMPLATE_DUPLICATE",
  TEMPLATE_SERVICE_MISSING: "TEMPLATE_SERVICE_MISSING",
  /** The template is installed but was refused at load; details carry the refusal's code and reason. */
  TEMPLATE_REJECTED: "TEMPLATE_REJECTED",
  // Agents
  AGENT_NOT_FOUND: "AGENT_NOT_FOUND",
  AGENT_NAME_TAKEN: "AGENT_NAME_TAKEN",
  AGENT_PAUSED: "AGENT_PAUSED",
  CONFIG_INVALID: "CONFIG_INVALID",
  MIGRATION_FAILED: "MIGRATION_FAILED",
  /** A move to an older template version that would change or drop the agent's settings. */
  DOWNGRADE_REFUSED: "DOWNGRADE_REFUSED",
  REVISION_NOT_FOUND: "REVISION_NOT_FOUND",
  API_KEY_NOT_FOUND: "API_KEY_NOT_FOUND",
  // Runs, threads, schedules
  RUN_NOT_FOUND: "RUN_NOT_FOUND",
  RUN_FAILED: "RUN_FAILED",
  RUN_TIMEOUT: "RUN_TIMEOUT",
  RUN_CANCELLED: "RUN_CANCELLED",
  RUN_INTERRUPTED: "RUN_INTERRUPTED",
  RUN_ALREADY_FINISHED: "RUN_ALREADY_FINISHED",
  /** The run existed but the retention policy removed it (its id stays known for a while). */
  RUN_EXPIRED: "RUN_EXPIRED",
  /** The run existed but was deleted through the API. */
  RUN_DELETED: "RUN_DELETED",
  /** Only a finished run can be deleted; cancel it first. */
  RUN_NOT_FINISHED: "RUN_NOT_FINISHED",
  QUEUE_FULL: "QUEUE_FULL",
  IDEMPOTENCY_CONFLICT: "IDEMPOTENCY_CONFLICT",
  THREAD_NOT_FOUND: "THREAD_NOT_FOUND",
  THREAD_BUSY: "THREAD_BUSY",
  SCHEDULE_NOT_FOUND: "SCHEDULE_NOT_FOUND",
  SCHEDULE_INVALID: "SCHEDULE_INVALID",
  // Upstream services any template may call (model providers, HTTP APIs)
  UPSTREAM_ERROR: "UPSTREAM_ERROR",
  RESPONSE_TOO_LARGE: "RESPONSE_TOO_LARGE",
  /** A reply that breaks the output format the caller asked for (`response_format`). */
  OUTPUT_FORMAT_MISMATCH: "OUTPUT_FORMAT_MISMATCH",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Every host code, as a schema (for API documents). */
export const ErrorCodeSchema = z.enum(ErrorCode);

/** A template's own code as the host reports it: `<template name>.<CODE>`, e.g. `task.STEP_FAILED`. */
export const TEMPLATE_ERROR_CODE_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}\.[A-Z][A-Z0-9_]{0,63}$/;

/** A code as clients see it: a host code or a template's namespaced code. */
export const AnyErrorCodeSchema = z.union([
  ErrorCodeSchema,
  z.string().regex(TEMPLATE_ERROR_CODE_PATTERN).describe("a template's own code: <template>.<CODE>"),
]);

/** A host code (with completion) or any other string: a template's own code, bare or namespaced. */
export type AnyErrorCode = ErrorCode | (string & {});

/** One template error code: the HTTP status the host answers with when it reaches a client. */
export interface ErrorDeclaration {
  status: number;
  /** What the code means, for the template's docs and the API reference. */
  description?: string;
}

export type ErrorDeclarations = Readonly<Record<string, ErrorDeclaration>>;

/** `{ STEP_FAILED: { status: 500 } }` → `{ STEP_FAILED: "STEP_FAILED" }`: the codes to throw. */
export function errorCodes<const T extends ErrorDeclarations>(
  declarations: T,
): { readonly [K in keyof T]: K } {
  return Object.freeze(Object.fromEntries(Object.keys(declarations).map((code) => [code, code]))) as {
    readonly [K in keyof T]: K;
  };
}

/** One problem with one field; `path` addresses it inside the request body or config. */
export const FieldIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type FieldIssue = z.infer<typeof FieldIssueSchema>;

/** zod issues as field issues, each path under `prefix` (e.g. `["config"]`). The one mapping. */
export function toFieldIssues(error: z.ZodError, prefix: (string | number)[] = []): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    message: issue.message,
  }));
}

const ERROR_BRAND = "@agentrt/error";

export interface AgentrtErrorOptions {
  issues?: FieldIssue[];
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type agentrt throws on purpose. Carries a brand so errors thrown by another copy of
 * this package (a template bundling its own core) are still recognised; use `isAgentrtError`.
 */
export class AgentrtError extends Error {
  readonly $$type = ERROR_BRAND;
  readonly code: AnyErrorCode;
  readonly issues: FieldIssue[] | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: AnyErrorCode, message: string, options: AgentrtErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AgentrtError";
    this.code = code;
    this.issues = options.issues;
    this.details = options.details;
  }

  toJSON(): { code: string; message: string; issues?: FieldIssue[]; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues ? { issues: this.issues } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function isAgentrtError(value: unknown): value is AgentrtError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { $$type?: unknown }).$$type === ERROR_BRAND &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

const knownCodes = new Set<string>(Object.values(ErrorCode));

/** True for the host's own codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && knownCodes.has(value);
}

/** Details larger than this (as JSON) are left out of stored errors rather than bloating every read. */
const MAX_DETAILS_BYTES = 16 * 1024;

function cappedDetails(details: Record<string, unknown> | undefined): { details?: Record<string, unknown> } {
  if (!details) return {};
  try {
    return JSON.stringify(details).length <= MAX_DETAILS_BYTES ? { details } : {};
  } catch {
    return {};
  }
}

/**
 * Normalises anything thrown into `{ code, message, details? }`. An agentrt error keeps its code;
 * another error keeps a `code` property only when `isKnown` accepts it (by default: host codes).
 */
export function toErrorInfo(
  error: unknown,
  fallback: AnyErrorCode = ErrorCode.RUN_FAILED,
  isKnown: (code: string) => boolean = isErrorCode,
): { code: AnyErrorCode; message: string; details?: Record<string, unknown> } {
  if (isAgentrtError(error))
    return { code: error.code, message: error.message, ...cappedDetails(error.details) };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === "string" && isKnown(code) ? code : fallback, message: error.message };
  }
  return { code: fallback, message: String(error) };
}
