import { type ApiKeyScope, MultitaskStrategySchema as RunMultitaskStrategySchema } from "@agentrt/runtime";
import { createRoute, type OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import { requireScope } from "./auth.js";
import { ProblemSchema } from "./problem.js";

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

const problem = (description: string) => ({
  content: { "application/problem+json": { schema: ProblemSchema } },
  description,
});

/**
 * The headers of a 429, as the rate limiter and the error handler send them (lib/rate-limit.ts,
 * lib/errors.ts): `Retry-After` on every 429; the IETF RateLimit fields when the API key's own
 * per-scope limit is what refused (an agent's quotas and a full queue send only `Retry-After`).
 */
const rateLimitHeaders = {
  "Retry-After": {
    description: "Seconds to wait before asking again",
    required: true,
    schema: { type: "integer", minimum: 1 },
  },
  "RateLimit-Policy": {
    description:
      "The API key's limit for this route's scope class: quota `q` per window `w` seconds (draft-ietf-httpapi-ratelimit-headers)",
    schema: { type: "string", example: '"invoke";q=600;w=60' },
  },
  RateLimit: {
    description: "What is left of that limit: `r` more requests, `t` seconds until the window resets",
    schema: { type: "string", example: '"invoke";r=0;t=42' },
  },
} as const;

const componentRef = (type: "headers" | "responses" | "schemas", name: string) => ({
  $ref: `#/components/${type}/${name}`,
});
const headerRefs = Object.fromEntries(
  Object.keys(rateLimitHeaders).map((name) => [name, componentRef("headers", name)]),
);

/** The 429 of every rate-limited route: one shared response component per error format. */
export const TOO_MANY_REQUESTS = componentRef("responses", "TooManyRequests");
export const OPENAI_TOO_MANY_REQUESTS = componentRef("responses", "OpenAITooManyRequests");

/** Registers the components the refs above point at; `openAiError` is the OpenAI error schema's name. */
export function registerRateLimitComponents(registry: OpenAPIHono["openAPIRegistry"], openAiError: string) {
  for (const [name, header] of Object.entries(rateLimitHeaders))
    registry.registerComponent("headers", name, header);
  registry.registerComponent("responses", "TooManyRequests", {
    description: "Too many requests (`RATE_LIMITED`, `QUEUE_FULL`)",
    headers: headerRefs,
    content: { "application/problem+json": { schema: componentRef("schemas", "Problem") } },
  });
  registry.registerComponent("responses", "OpenAITooManyRequests", {
    description: "Too many requests or runs waiting (`rate_limit_exceeded`)",
    headers: headerRefs,
    content: { "application/json": { schema: componentRef("schemas", openAiError) } },
  });
}

/** Error responses every authenticated route can give; routes add their own (404, 409, 422...). */
export const commonErrors = {
  401: problem("Missing or invalid API key"),
  403: problem("The API key lacks the scope this route needs"),
  429: TOO_MANY_REQUESTS,
} as const;

export const errorResponses = {
  400: problem("Malformed request (e.g. invalid JSON)"),
  404: problem("Not found"),
  409: problem("Conflict with the current state"),
  413: problem("Request body too large"),
  415: problem("Request body is not application/json"),
  422: problem("Validation failed; `errors` lists field paths"),
  502: problem("An upstream service failed"),
  503: problem("Not ready"),
  504: problem("Timed out"),
} as const;

/** Errors every route with a JSON body can give. */
export const bodyErrors = {
  400: errorResponses[400],
  413: errorResponses[413],
  415: errorResponses[415],
  422: errorResponses[422],
} as const;

type Scoped = Omit<RouteConfig, "middleware" | "security"> & {
  scope: ApiKeyScope;
  /** The OpenAI sub-app answers malformed requests with its own 400s: no problem+json refusals added. */
  openAiErrors?: true;
};

/**
 * The refusals request validation can give, derived from what the route validates, so that no
 * route with a path id, a query or a body can leave them undeclared.
 */
function validationErrors(request: RouteConfig["request"]) {
  return {
    ...(request?.params || request?.query || request?.headers ? { 422: errorResponses[422] } : {}),
    ...(request?.body ? bodyErrors : {}),
  };
}

/**
 * A `/v1` route: documents bearer auth, the scope it needs (also enforced here) and the common
 * error responses, so no route can forget them.
 */
export function defineApiRoute<R extends Scoped>({ scope, openAiErrors, ...route }: R) {
  return createRoute({
    ...route,
    security: [{ bearerAuth: [] }],
    "x-required-scope": scope,
    description: `${route.description ?? ""}\n\nRequires scope \`${scope}\`.`.trim(),
    middleware: [requireScope(scope)] as const,
    responses: {
      ...commonErrors,
      ...(openAiErrors ? {} : validationErrors(route.request)),
      ...route.responses,
    },
  });
}

interface ActionRoute<P extends z.ZodObject, S extends z.ZodType> {
  /** The resource's path, e.g. `/v1/runs/{id}`; the route is `POST <resource>/<action>`. */
  resource: string;
  action: string;
  params: P;
  tags: string[];
  scope: ApiKeyScope;
  summary: string;
  description?: string;
  /** The resource as the action left it: the 200 answer. */
  result: S;
  resultDescription: string;
  /** The action can be refused by the resource's state (409), e.g. cancelling a finished run. */
  conflicts?: true;
}

/**
 * A lifecycle action on one resource (pause, resume, cancel...): a bodiless POST that answers the
 * resource as the action left it, 404 for an unknown one, 409 when its state refuses the action.
 */
export function defineActionRoute<P extends z.ZodObject, S extends z.ZodType>(action: ActionRoute<P, S>) {
  return defineApiRoute({
    method: "post",
    path: `${action.resource}/${action.action}`,
    tags: action.tags,
    scope: action.scope,
    summary: action.summary,
    ...(action.description ? { description: action.description } : {}),
    request: { params: action.params },
    responses: {
      200: jsonContent(action.result, action.resultDescription),
      404: errorResponses[404],
      ...(action.conflicts ? { 409: errorResponses[409] } : {}),
    },
  });
}

/** Schema of a route's `{name}` path parameter. */
export function pathParam<const K extends string>(name: K, description?: string) {
  const schema = z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name, in: "path" }, ...(description ? { description } : {}) });
  return z.object({ [name]: schema } as { [P in K]: typeof schema });
}

/** `{agent}`: an agent's id or its unique name. */
export const AgentParams = pathParam("agent", "Agent id or name");

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: "Page size (1-200)" }),
  // A cursor is the key of the last item handed out (an id, or a revision number): anything else
  // is a client bug, refused rather than answered with an empty page.
  cursor: z
    .string()
    .regex(/^(?:\d{1,15}|[a-z]{2,8}_[0-9a-z]{26})$/, {
      error: "is not a cursor this API handed out; pass `nextCursor` of the previous page",
    })
    .optional()
    .openapi({ description: "`nextCursor` of the previous page" }),
});

export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

/**
 * What a run does when the client holding its connection (a stream, or a sync wait) goes away.
 * One default on every route that holds a run's connection, LangGraph's name for the choice.
 */
export const OnDisconnectSchema = z.enum(["cancel", "continue"]).openapi("OnDisconnect", {
  description:
    "When the client drops the connection before the run ends: `cancel` the run (the default; its model calls are aborted) or let it `continue` (follow it with GET /v1/runs/{id}/events)",
});
export const DEFAULT_ON_DISCONNECT = "cancel" as const;

/** The response header naming the run a request started, on every route that starts one. */
export const RUN_ID_HEADER = "x-agentrt-run-id";

// `describe` makes a schema made after zod-openapi extended zod, so it can be named.
export const MultitaskStrategySchema = RunMultitaskStrategySchema.describe(
  "What a new run on a thread does while an earlier run on it is still queued or running: `reject` (409 THREAD_BUSY), `enqueue` (run after it; the default) or `interrupt` (cancel it, keeping what it wrote, and start)",
).openapi("MultitaskStrategy");
