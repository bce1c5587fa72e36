import { AgentrtError, ErrorCode, type Template, toFieldIssues, type ValidateContext } from "@agentrt/core";
import semver from "semver";
import { z } from "zod";
import type { InstalledTemplate } from "./installed-template.js";
import { qualifyError } from "./template-errors.js";

/**
 * The agent config pipeline: zod schema (types, coercion, defaults) → the template's own
 * `validate` hook (cross-field and runtime-requirement checks) → its optional `resolveConfig` (pins
 * fetched or compiled artefacts) → the normalised config to store.
 * Throws `CONFIG_INVALID` with field paths; paths are relative to the config object.
 */
export async function validateAgentConfig(
  template: InstalledTemplate,
  rawConfig: unknown,
  ctx: ValidateContext,
): Promise<Record<string, unknown>> {
  const parsed = template.configSchema.safeParse(rawConfig ?? {});
  if (!parsed.success) {
    throw new AgentrtError(
      ErrorCode.CONFIG_INVALID,
      `config does not match the ${template.name}@${template.version} schema`,
      {
        issues: toFieldIssues(parsed.error),
      },
    );
  }
  const config = parsed.data;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${template.name}@${template.version}: configSchema must produce an object`,
    );
  }
  try {
    return await checkConfig(template, config as Record<string, unknown>, ctx);
  } catch (error) {
    throw qualifyError(error, template);
  }
}

/** The template's own checks: `validate`, then `resolveConfig`. */
async function checkConfig(
  template: InstalledTemplate,
  config: Record<string, unknown>,
  ctx: ValidateContext,
): Promise<Record<string, unknown>> {
  const issues = (await template.validate?.(config, ctx)) ?? [];
  if (issues.length > 0) {
    throw new AgentrtError(
      ErrorCode.CONFIG_INVALID,
      `config rejected by ${template.name}@${template.version}: ${issues[0]!.message}`,
      {
        issues,
      },
    );
  }
  const resolved = template.resolveConfig ? await template.resolveConfig(config, ctx) : config;
  return resolved as Record<string, unknown>;
}

/** Parses run input against the template's optional input schema. */
export function parseRunInput(template: Pick<Template, "name" | "inputSchema">, input: unknown): unknown {
  if (!template.inputSchema) return input;
  const parsed = template.inputSchema.safeParse(input);
  if (!parsed.success) {
    throw new AgentrtError(
      ErrorCode.VALIDATION_FAILED,
      `input does not match the ${template.name} input schema`,
      {
        issues: toFieldIssues(parsed.error, ["input"]),
      },
    );
  }
  return parsed.data;
}

const inputSchemaCache = new WeakMap<object, Record<string, unknown>>();

/**
 * JSON Schema (draft 2020-12, without `$schema`) of the run input a template takes, generated once
 * per template; `undefined` when it declares no input schema.
 */
export function inputJsonSchema(
  template: Pick<Template, "inputSchema">,
): Record<string, unknown> | undefined {
  if (!template.inputSchema) return undefined;
  let schema = inputSchemaCache.get(template);
  if (!schema) {
    const { $schema: _, ...json } = z.toJSONSchema(template.inputSchema, {
      io: "input",
      unrepresentable: "any",
    }) as Record<string, unknown>;
    schema = json;
    inputSchemaCache.set(template, schema);
  }
  return schema;
}

const jsonSchemaCache = new WeakMap<object, Record<string, unknown>>();

/** JSON Schema (draft 2020-12) of what a user may send as config: generated once per template. */
export function configJsonSchema(template: Pick<InstalledTemplate, "configSchema">): Record<string, unknown> {
  let schema = jsonSchemaCache.get(template);
  if (!schema) {
    schema = z.toJSONSchema(template.configSchema, { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >;
    jsonSchemaCache.set(template, schema);
  }
  return schema;
}

/**
 * Applies `target.migrations` newer than `fromVersion` and not newer than `target.version`, in
 * semver order. Pure: returns a new config or throws `MIGRATION_FAILED`; the caller decides whether
 * to write.
 */
export function migrateConfig(
  config: Record<string, unknown>,
  fromVersion: string,
  target: InstalledTemplate,
): { config: Record<string, unknown>; applied: string[] } {
  const steps = Object.keys(target.migrations ?? {})
    .filter((v) => semver.valid(v) && semver.gt(v, fromVersion) && semver.lte(v, target.version))
    .sort(semver.compare);
  let current = structuredClone(config);
  for (const version of steps) {
    try {
      const next = target.migrations![version]!(current);
      if (typeof next !== "object" || next === null || Array.isArray(next)) {
        throw new Error("the migration did not return a config object");
      }
      current = next;
    } catch (error) {
      throw new AgentrtError(
        ErrorCode.MIGRATION_FAILED,
        `migration to ${target.name}@${version} failed: ${error instanceof Error ? error.message : String(error)}`,
        { details: { from: fromVersion, to: target.version, failedAt: version } },
      );
    }
  }
  return { config: current, applied: steps };
}
