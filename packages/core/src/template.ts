import type { z } from "zod";
import type { FieldIssue } from "./errors.js";
import type { TemplateEvent } from "./events.js";
import { TEMPLATE_SPEC_VERSION } from "./version.js";

export const TEMPLATE_BRAND = "@agentrt/template";

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Services the host offers to every template; a template uses only what it needs. */
export interface TemplateContext {
  /** Environment visible to templates (the server process env unless the operator narrows it). */
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** Operator settings addressed to this template by name (from the server configuration). */
  settings: Readonly<Record<string, unknown>>;
  /** Durable key/value space for this template (e.g. a LangGraph checkpointer). Optional per host. */
  services: Readonly<Record<string, unknown>>;
}

export interface ValidateContext extends TemplateContext {
  /** `create` when a new agent is made, `update` for a PATCH or upgrade. */
  phase: "create" | "update";
}

/** Per-run facilities handed to `AgentInstance.run`. */
export interface RunContext {
  runId: string;
  agentId: string;
  agentName: string;
  /** Conversation thread the run belongs to, when the caller gave one. */
  threadId: string | undefined;
  /** Aborted on cancel, timeout and server shutdown; templates must stop promptly when it fires. */
  signal: AbortSignal;
  logger: Logger;
  /** Invoke another agent by id or name and wait for its output (used by composite templates). */
  invokeAgent(agent: string, input: unknown, options?: { signal?: AbortSignal }): Promise<unknown>;
}

/** A configured, ready agent. Created once per agent revision and reused across runs. */
export interface AgentInstance {
  run(input: unknown, ctx: RunContext): AsyncIterable<TemplateEvent>;
  dispose?(): Promise<void> | void;
}

export type ConfigMigration = (config: Record<string, unknown>) => Record<string, unknown>;

export interface TemplateDefinition<Schema extends z.ZodType = z.ZodType> {
  /** Unique template name, e.g. `task`. Lower-case letters, digits and dashes. */
  name: string;
  /** The package's own semver version. */
  version: string;
  /** Range of `CORE_API_VERSION`s this template works with, e.g. `^1.0.0`. */
  coreApi: string;
  description?: string;
  /** zod schema of the agent config: validation, defaults, types and JSON Schema from one source. */
  configSchema: Schema;
  /** Optional schema of run input; when absent any JSON value is accepted. */
  inputSchema?: z.ZodType;
  /**
   * Config migrations keyed by the template version that introduced them. Upgrading an agent
   * applies, in semver order, every migration newer than its version and not newer than the target.
   */
  migrations?: Record<string, ConfigMigration>;
  /** Cross-field and runtime-requirement checks that a schema cannot express. */
  validate?(
    config: z.output<Schema>,
    ctx: ValidateContext,
  ): FieldIssue[] | undefined | Promise<FieldIssue[] | undefined>;
  /**
   * Runs after `validate` succeeds and returns the config to store: the place to pin things that
   * must not change between runs (fetched code and its digest, a compiled artefact). Issues are
   * reported by throwing `AgentrtError(CONFIG_INVALID, …, { issues })`.
   */
  resolveConfig?(
    config: z.output<Schema>,
    ctx: ValidateContext,
  ): Promise<z.output<Schema>> | z.output<Schema>;
  /** Builds an agent instance from a validated config. */
  create(config: z.output<Schema>, ctx: TemplateContext): AgentInstance | Promise<AgentInstance>;
  /** Safe to re-run after a crash: interrupted runs are re-queued instead of failed. */
  idempotent?: boolean;
}

export type Template<Schema extends z.ZodType = z.ZodType> = Readonly<TemplateDefinition<Schema>> & {
  readonly $$type: typeof TEMPLATE_BRAND;
  readonly specVersion: number;
};

/** Declares a template. The result carries a brand so hosts recognise it across package copies. */
export function defineTemplate<Schema extends z.ZodType>(
  definition: TemplateDefinition<Schema>,
): Template<Schema> {
  return Object.freeze({ ...definition, $$type: TEMPLATE_BRAND, specVersion: TEMPLATE_SPEC_VERSION });
}

/** Structural brand check; never `instanceof`, which breaks when two copies of core are installed. */
export function isTemplate(value: unknown): value is Template {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Template>;
  return (
    candidate.$$type === TEMPLATE_BRAND &&
    typeof candidate.specVersion === "number" &&
    typeof candidate.name === "string" &&
    typeof candidate.version === "string" &&
    typeof candidate.coreApi === "string" &&
    typeof candidate.create === "function" &&
    typeof (candidate.configSchema as { safeParse?: unknown } | undefined)?.safeParse === "function"
  );
}
