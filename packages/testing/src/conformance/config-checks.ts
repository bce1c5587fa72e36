import { isDeepStrictEqual } from "node:util";
import { ErrorCode, isAgentrtError, type Template, type ValidateContext } from "@agentrt/core";
import {
  configJsonSchema,
  type InstalledTemplate,
  migrateConfig,
  validateAgentConfig,
} from "@agentrt/runtime";
import semver from "semver";
import { asInstalled } from "../installed.js";
import { createTestTemplateContext } from "../run-context.js";

type TemplateContext = Omit<ValidateContext, "phase">;

const show = (value: unknown) => JSON.stringify(value);

/**
 * The host's config pipeline, as when an agent is created (`phase: "update"` as for a PATCH):
 * schema, `validate`, `resolveConfig`; the template's own error codes come out namespaced.
 */
export function validateConfig(
  template: Template,
  config: unknown,
  context: Partial<ValidateContext> = {},
): Promise<Record<string, unknown>> {
  return validateAgentConfig(asInstalled(template), config, {
    ...createTestTemplateContext(context),
    phase: context.phase ?? "create",
  });
}

const validateForCreate = (template: Template, config: unknown, context?: Partial<TemplateContext>) =>
  validateConfig(template, config, { ...context, phase: "create" });

/** The config schema converts to a JSON Schema of an object (what `GET /v1/templates` serves). */
export function checkConfigJsonSchema(template: Template): Record<string, unknown> {
  let schema: Record<string, unknown>;
  try {
    schema = configJsonSchema(template);
  } catch (error) {
    throw new Error(`configSchema does not convert to JSON Schema: ${(error as Error).message}`);
  }
  if (schema.type !== "object") {
    throw new Error(`configSchema must describe an object, its JSON Schema has type ${show(schema.type)}`);
  }
  return schema;
}

/** The config passes validation; returns the normalised config the server would store. */
export async function checkValidConfig(
  template: Template,
  config: unknown,
  context?: Partial<TemplateContext>,
): Promise<Record<string, unknown>> {
  try {
    return await validateForCreate(template, config, context);
  } catch (error) {
    const issues = isAgentrtError(error) && error.issues ? ` ${show(error.issues)}` : "";
    throw new Error(`validConfig was rejected: ${(error as Error).message}${issues}`);
  }
}

/** Validating `config` fills in each key of `expected` with exactly that value. */
export async function checkConfigDefaults(
  template: Template,
  config: unknown,
  expected: Record<string, unknown>,
  context?: Partial<TemplateContext>,
): Promise<void> {
  const normalised = await checkValidConfig(template, config, context);
  for (const [key, value] of Object.entries(expected)) {
    if (!isDeepStrictEqual(normalised[key], value)) {
      throw new Error(`default for ${show(key)}: expected ${show(value)}, got ${show(normalised[key])}`);
    }
  }
}

/** Validation fails with CONFIG_INVALID and names `path` among its issues. */
export async function checkInvalidConfig(
  template: Template,
  config: unknown,
  path: (string | number)[],
  context?: Partial<TemplateContext>,
): Promise<void> {
  let error: unknown;
  try {
    await validateForCreate(template, config, context);
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new Error(`invalid config ${show(config)} was accepted`);
  if (!isAgentrtError(error) || error.code !== ErrorCode.CONFIG_INVALID) {
    throw new Error(
      `invalid config ${show(config)} failed without CONFIG_INVALID: ${(error as Error).message}`,
    );
  }
  const paths = (error.issues ?? []).map((issue) => issue.path);
  if (!paths.some((p) => isDeepStrictEqual(p, path))) {
    throw new Error(
      `invalid config ${show(config)}: no issue at path ${show(path)}; issues at ${show(paths)}`,
    );
  }
}

/**
 * A template's migrations carry old configs forward: every declared migration has a sample config
 * older than it, and each sample migrates to a config the current version accepts.
 */
export async function checkMigrations(
  template: InstalledTemplate,
  samples: { version: string; config: Record<string, unknown> }[],
  context?: Partial<TemplateContext>,
): Promise<void> {
  for (const target of Object.keys(template.migrations ?? {})) {
    if (!samples.some((sample) => semver.valid(sample.version) && semver.lt(sample.version, target))) {
      throw new Error(
        `the migration to ${target} has no sample config of an older version to check it with (previousConfigs)`,
      );
    }
  }
  for (const sample of samples) {
    const { config } = migrateConfig(sample.config, sample.version, template);
    try {
      await validateForCreate(template, config, context);
    } catch (error) {
      const issues = isAgentrtError(error) && error.issues ? ` ${show(error.issues)}` : "";
      throw new Error(
        `the ${sample.version} sample config migrated to ${show(config)}, which ${template.version} rejects: ${(error as Error).message}${issues}`,
      );
    }
  }
}
