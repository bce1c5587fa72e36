import { CORE_API_VERSION } from "@agentrt/core";
import type { TemplateRegistry } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ServerConfig } from "../../env.js";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./catalog.routes.js";
import { createCatalog } from "./catalog.service.js";

/** Package name → versions of it loaded here. */
function installedVersions(registry: TemplateRegistry): Map<string, string[]> {
  const byPackage = new Map<string, string[]>();
  for (const name of registry.names()) {
    for (const loaded of registry.versions(name)) {
      byPackage.set(loaded.packageName, [
        ...(byPackage.get(loaded.packageName) ?? []),
        loaded.packageVersion,
      ]);
    }
  }
  return byPackage;
}

/**
 * `GET /v1/templates/catalog`. Mount before `/v1/templates/{name}`: the router tries routes in
 * registration order, and `catalog` would otherwise be taken as a template name.
 */
export function createCatalogRoutes(deps: {
  registry: TemplateRegistry;
  config: Pick<ServerConfig, "npmRegistry" | "catalogTimeoutMs">;
}) {
  const { npmRegistry, catalogTimeoutMs } = deps.config;
  const catalog = createCatalog({ registry: npmRegistry, timeoutMs: catalogTimeoutMs });
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(routes.getCatalog, async (c) => {
    const { q, limit } = c.req.valid("query");
    const entries = await catalog.search(q, limit);
    const installed = installedVersions(deps.registry);
    return c.json(
      {
        registry: npmRegistry,
        coreApiVersion: CORE_API_VERSION,
        data: entries.map((e) => ({ ...e, installedVersions: installed.get(e.packageName) ?? [] })),
      },
      200,
    );
  });
  return app;
}
