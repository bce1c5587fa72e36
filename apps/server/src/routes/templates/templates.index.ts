import { AgentrtError, ErrorCode } from "@agentrt/core";
import { configJsonSchema, type LoadedTemplate, type TemplateRegistry } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ServerConfig } from "../../env.js";
import type { AppEnv } from "../../lib/types.js";
import { createCatalogRoutes } from "./catalog.index.js";
import * as routes from "./templates.routes.js";

function describeVersion(t: LoadedTemplate) {
  return {
    version: t.template.version,
    packageName: t.packageName,
    coreApi: t.coreApi,
    description: t.template.description ?? null,
    idempotent: t.template.idempotent ?? false,
    migrations: Object.keys(t.template.migrations ?? {}),
    capabilities: (["chat", "threads"] as const).filter((capability) => t.template[capability] !== undefined),
    services: Object.values(t.template.services ?? {}).map(({ id, optional }) => ({ id, optional })),
    errors: Object.entries(t.template.errors ?? {}).map(([code, { status, description }]) => ({
      code: `${t.template.name}.${code}`,
      status,
      description: description ?? null,
    })),
    schemaUrl: `/v1/templates/${t.template.name}/versions/${t.template.version}/schema`,
  };
}

function describeTemplate(registry: TemplateRegistry, name: string) {
  const versions = registry.versions(name);
  const latest = versions[0];
  if (!latest)
    throw new AgentrtError(ErrorCode.TEMPLATE_NOT_FOUND, `no template named "${name}" is installed`);
  return {
    name,
    latest: latest.template.version,
    description: latest.template.description ?? null,
    versions: versions.map(describeVersion),
  };
}

export function createTemplateRoutes(deps: {
  registry: TemplateRegistry;
  config: Pick<ServerConfig, "npmRegistry" | "catalogTimeoutMs">;
}) {
  const { registry } = deps;
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.listTemplates, (c) =>
    c.json(
      {
        data: registry.names().map((name) => describeTemplate(registry, name)),
        rejected: registry.rejected().map(({ packageName, packageVersion, code, message }) => ({
          packageName,
          packageVersion,
          code,
          message,
        })),
      },
      200,
    ),
  );

  // Before `/v1/templates/{name}`, which would otherwise take "catalog" as a name.
  app.route("/", createCatalogRoutes(deps));

  app.openapi(routes.getTemplate, (c) => {
    return c.json(describeTemplate(registry, c.req.valid("param").name), 200);
  });

  app.openapi(routes.getTemplateSchema, (c) => {
    const { name, version } = c.req.valid("param");
    const loaded = registry.resolve(name, version === "latest" ? "*" : version);
    return c.json(configJsonSchema(loaded.template), 200);
  });
  return app;
}
