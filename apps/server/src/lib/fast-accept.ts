import type { z } from "@hono/zod-openapi";

/**
 * `schema` with a shortcut for the request shape nearly every call has: a value `accepts` vouches
 * for is returned as it is, without zod walking it; anything else is validated by zod as before,
 * so every refusal (and its 4xx) is zod's. `accepts` must only take values the schema would pass
 * unchanged (no defaults, transforms or stripped keys), which the route's tests check against zod.
 * The route validators call `safeParseAsync`; the schema's OpenAPI document is unaffected.
 */
export function fastAccept<T extends z.ZodType>(schema: T, accepts: (value: unknown) => boolean): T {
  const validate = schema.safeParseAsync.bind(schema);
  const shortcut: typeof validate = (value, params) =>
    accepts(value) ? Promise.resolve({ success: true, data: value as z.output<T> }) : validate(value, params);
  schema.safeParseAsync = shortcut;
  return schema;
}
