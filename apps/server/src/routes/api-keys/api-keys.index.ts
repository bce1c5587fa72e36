import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { ApiKeyRecord } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import { createApiKey } from "../../lib/auth.js";
import type { AppServices } from "../../lib/services.js";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./api-keys.routes.js";

function toApiKeyResponse({ id, name, prefix, scopes, rateLimits, createdAt, lastUsedAt }: ApiKeyRecord) {
  return { id, name, prefix, scopes, rateLimits, createdAt, lastUsedAt };
}

const notFound = (id: string) => new AgentrtError(ErrorCode.API_KEY_NOT_FOUND, `no API key with id "${id}"`);

export function createApiKeyRoutes({ runtime }: Pick<AppServices, "runtime">) {
  const { store, invalidations } = runtime;
  // Key resolvers on every node cache records: the next request anywhere must see the change.
  const changed = (id: string) => invalidations.publish({ kind: "apiKey", id });
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.createApiKey, async (c) => {
    const { name, scopes, rateLimits } = c.req.valid("json");
    const { record, key } = await createApiKey(
      store.apiKeys,
      name,
      [...new Set(scopes)],
      undefined,
      rateLimits,
    );
    return c.json({ ...toApiKeyResponse(record), key }, 201);
  });

  app.openapi(routes.listApiKeys, async (c) => {
    const page = await store.apiKeys.list(c.req.valid("query"));
    return c.json({ data: page.items.map(toApiKeyResponse), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(routes.deleteApiKey, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await store.apiKeys.delete(id))) throw notFound(id);
    await changed(id);
    return c.body(null, 204);
  });

  app.openapi(routes.updateApiKey, async (c) => {
    const { id } = c.req.valid("param");
    const { scopes, ...patch } = c.req.valid("json");
    const record = await store.apiKeys.update(id, {
      ...patch,
      ...(scopes ? { scopes: [...new Set(scopes)] } : {}),
    });
    if (!record) throw notFound(id);
    await changed(id);
    return c.json(toApiKeyResponse(record), 200);
  });
  return app;
}
