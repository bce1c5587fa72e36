import {
  type AnyErrorCode,
  AnyErrorCodeSchema,
  type ErrorCode,
  type FieldIssue,
  isErrorCode,
} from "@agentrt/core";
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { currentTraceId } from "./trace-requests.js";

/**
 * The one place a host error code becomes an HTTP status. Exhaustive: a new code must be mapped here.
 * Templates' own codes (`task.STEP_FAILED`) take the status their template declared.
 */
export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  VALIDATION_FAILED: 422,
  UNSUPPORTED_PARAMETER: 400,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NOT_READY: 503,
  TEMPLATE_NOT_FOUND: 404,
  TEMPLATE_VERSION_NOT_FOUND: 404,
  TEMPLATE_INCOMPATIBLE: 422,
  TEMPLATE_INVALID: 422,
  TEMPLATE_DUPLICATE: 409,
  TEMPLATE_SERVICE_MISSING: 422,
  TEMPLATE_REJECTED: 422,
  AGENT_NOT_FOUND: 404,
  AGENT_NAME_TAKEN: 409,
  AGENT_PAUSED: 409,
  CONFIG_INVALID: 422,
  MIGRATION_FAILED: 422,
  DOWNGRADE_REFUSED: 409,
  REVISION_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  RUN_FAILED: 500,
  RUN_TIMEOUT: 504,
  RUN_CANCELLED: 409,
  RUN_INTERRUPTED: 500,
  RUN_ALREADY_FINISHED: 409,
  RUN_EXPIRED: 404,
  RUN_DELETED: 404,
  RUN_NOT_FINISHED: 409,
  QUEUE_FULL: 429,
  IDEMPOTENCY_CONFLICT: 409,
  THREAD_NOT_FOUND: 404,
  THREAD_BUSY: 409,
  SCHEDULE_NOT_FOUND: 404,
  SCHEDULE_INVALID: 422,
  UPSTREAM_ERROR: 502,
  RESPONSE_TOO_LARGE: 502,
  OUTPUT_FORMAT_MISMATCH: 502,
};

const TITLES: Partial<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "https://agentrt.dev/errors/AGENT_NOT_FOUND" }),
    title: z.string(),
    status: z.number().int(),
    // `describe` first: it makes this package's copy of the schema, which `.openapi` extends.
    code: AnyErrorCodeSchema.describe(
      "A host code, or a template's own code as `<template>.<CODE>` (e.g. `task.STEP_FAILED`)",
    ),
    detail: z.string(),
    errors: z
      .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
      .optional()
      .openapi({ description: "Field-level problems; `path` addresses the offending field in the request" }),
    traceId: z
      .string()
      .optional()
      .openapi({ description: "The request's OpenTelemetry trace id, when the server exports traces" }),
  })
  .openapi("Problem");
export type Problem = z.infer<typeof ProblemSchema>;

/** A template's code, or a status that is not an error, answers 500: the safe default. */
const FALLBACK_STATUS = 500;

/**
 * Statuses of codes that are not the host's: templates' own, looked up in the installed templates.
 * `undefined` for an unknown code.
 */
export type TemplateStatusLookup = (code: string) => number | undefined;

export function statusOf(code: AnyErrorCode, templateStatus?: TemplateStatusLookup): ContentfulStatusCode {
  if (isErrorCode(code)) return STATUS_BY_CODE[code];
  return (templateStatus?.(code) ?? FALLBACK_STATUS) as ContentfulStatusCode;
}

export function createProblem(
  code: AnyErrorCode,
  detail: string,
  errors?: FieldIssue[],
  templateStatus?: TemplateStatusLookup,
): Problem {
  const status = statusOf(code, templateStatus);
  return {
    type: `https://agentrt.dev/errors/${code}`,
    title: TITLES[status] ?? "Error",
    status,
    code,
    detail,
    ...(errors?.length ? { errors } : {}),
  };
}

/** OpenAI's error JSON, which OpenAI SDKs parse into typed errors. */
export interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** OpenAI's own codes where one fits; otherwise the agentrt code, lower-cased in OpenAI's style. */
const OPENAI_CODES: Partial<Record<AnyErrorCode, string>> = {
  UNAUTHORIZED: "invalid_api_key",
  AGENT_NOT_FOUND: "model_not_found",
  REVISION_NOT_FOUND: "model_not_found",
  RATE_LIMITED: "rate_limit_exceeded",
  QUEUE_FULL: "rate_limit_exceeded",
};

/** A problem as OpenAI would report it: malformed requests are 400s there (no 415 or 422). */
export function toOpenAiError(problem: Problem): { status: ContentfulStatusCode; body: OpenAiError } {
  const status =
    problem.status === 415 || problem.status === 422 ? 400 : (problem.status as ContentfulStatusCode);
  const type = status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error";
  return {
    status,
    body: {
      error: {
        message: problem.detail,
        type,
        param: problem.errors?.[0]?.path.join(".") || null,
        code: OPENAI_CODES[problem.code] ?? problem.code.toLowerCase(),
      },
    },
  };
}

/** Writes a problem+json response. */
export function problemResponse(c: Context, problem: Problem): Response {
  const traceId = currentTraceId();
  const body = traceId ? { ...problem, traceId } : problem;
  return c.body(JSON.stringify(body), problem.status as ContentfulStatusCode, {
    "content-type": "application/problem+json",
  });
}

/** Writes OpenAI's error JSON (the OpenAI-compatible sub-app's answer to every error). */
export function openAiErrorResponse(c: Context, problem: Problem): Response {
  const { status, body } = toOpenAiError(problem);
  return c.json(body, status);
}
