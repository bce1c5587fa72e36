import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { ApiKeyRecord } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import { createApiKey } from "../../lib/auth.js";
import type { AppServices } from "../../lib/services.js";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./api-keys.routes.js";

function toApiKeyResponse({ id, name, prefix, scopes, createdAt, lastUsedAt }: ApiKeyRecord) {
  return { id, name, prefix, scopes, createdAt, lastUsedAt };
}

export function createApiKeyRoutes({ runtime, keys }: Pick<AppServices, "runtime" | "keys">) {
  const { store } = runtime;
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.createApiKey, async (c) => {
    const { name, scopes } = c.req.valid("json");
    const { record, key } = await createApiKey(store.apiKeys, name, [...new Set(scopes)]);
    return c.json({ ...toApiKeyResponse(record), key }, 201);
  });

  app.openapi(routes.listApiKeys, async (c) => {
    const page = await store.apiKeys.list(c.req.valid("query"));
    return c.json({ data: page.items.map(toApiKeyResponse), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(routes.deleteApiKey, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await store.apiKeys.delete(id)))
      throw new AgentrtError(ErrorCode.API_KEY_NOT_FOUND, `no API key with id "${id}"`);
    keys.forget(id);
    return c.body(null, 204);
  });
  return app;
}
