/**
 * Every error code agentrt can report, in one place. Codes are part of the public API: clients
 * branch on them, so a code is never renamed or reused for a different meaning.
 * The HTTP status for each code is mapped once, in the server (`apps/server/src/lib/problem.ts`).
 */
export const ErrorCode = {
  // Requests
  BAD_REQUEST: "BAD_REQUEST",
  MALFORMED_JSON: "MALFORMED_JSON",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  VALIDATION_FAILED: "VALIDATION_FAILED",
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
  // Agents
  AGENT_NOT_FOUND: "AGENT_NOT_FOUND",
  AGENT_NAME_TAKEN: "AGENT_NAME_TAKEN",
  AGENT_PAUSED: "AGENT_PAUSED",
  CONFIG_INVALID: "CONFIG_INVALID",
  MIGRATION_FAILED: "MIGRATION_FAILED",
  REVISION_NOT_FOUND: "REVISION_NOT_FOUND",
  API_KEY_NOT_FOUND: "API_KEY_NOT_FOUND",
  // Runs, threads, schedules
  RUN_NOT_FOUND: "RUN_NOT_FOUND",
  RUN_FAILED: "RUN_FAILED",
  RUN_TIMEOUT: "RUN_TIMEOUT",
  RUN_CANCELLED: "RUN_CANCELLED",
  RUN_INTERRUPTED: "RUN_INTERRUPTED",
  RUN_ALREADY_FINISHED: "RUN_ALREADY_FINISHED",
  QUEUE_FULL: "QUEUE_FULL",
  IDEMPOTENCY_CONFLICT: "IDEMPOTENCY_CONFLICT",
  THREAD_NOT_FOUND: "THREAD_NOT_FOUND",
  THREAD_BUSY: "THREAD_BUSY",
  SCHEDULE_NOT_FOUND: "SCHEDULE_NOT_FOUND",
  SCHEDULE_INVALID: "SCHEDULE_INVALID",
  // Steps and upstream services used by templates
  STEP_FAILED: "STEP_FAILED",
  STEP_TIMEOUT: "STEP_TIMEOUT",
  UPSTREAM_ERROR: "UPSTREAM_ERROR",
  RESPONSE_TOO_LARGE: "RESPONSE_TOO_LARGE",
  // Sandboxed user code
  TIMEOUT: "TIMEOUT",
  MEMORY_LIMIT: "MEMORY_LIMIT",
  OUTPUT_LIMIT: "OUTPUT_LIMIT",
  RESULT_TOO_LARGE: "RESULT_TOO_LARGE",
  SANDBOX_CRASHED: "SANDBOX_CRASHED",
  USER_CODE_ERROR: "USER_CODE_ERROR",
  ENTRYPOINT_NOT_FOUND: "ENTRYPOINT_NOT_FOUND",
  CODE_COMPILE_ERROR: "CODE_COMPILE_ERROR",
  DEPENDENCY_NOT_ALLOWED: "DEPENDENCY_NOT_ALLOWED",
  URL_NOT_ALLOWED: "URL_NOT_ALLOWED",
  CODE_FETCH_FAILED: "CODE_FETCH_FAILED",
  PATH_NOT_ALLOWED: "PATH_NOT_ALLOWED",
  HOST_CALL_LIMIT: "HOST_CALL_LIMIT",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One problem with one field; `path` addresses it inside the request body or config. */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
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
  readonly code: ErrorCode;
  readonly issues: FieldIssue[] | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AgentrtErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AgentrtError";
    this.code = code;
    this.issues = options.issues;
    this.details = options.details;
  }

  toJSON(): { code: ErrorCode; message: string; issues?: FieldIssue[]; details?: Record<string, unknown> } {
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
 * Normalises anything thrown into `{ code, message, details? }`, keeping a known code when the error
 * carries one.
 */
export function toErrorInfo(
  error: unknown,
  fallback: ErrorCode = ErrorCode.RUN_FAILED,
): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
  if (isAgentrtError(error))
    return { code: error.code, message: error.message, ...cappedDetails(error.details) };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: isErrorCode(code) ? code : fallback, message: error.message };
  }
  return { code: fallback, message: String(error) };
}
