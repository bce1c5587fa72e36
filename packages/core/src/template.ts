import type { z } from "zod";
import type { ChatCapability, ThreadsCapability } from "./capabilities.js";
import type { ErrorDeclarations, FieldIssue } from "./errors.js";
import type { TemplateEvent } from "./events.js";
import { isServiceRef, type ServiceRefs, type ServiceValues } from "./services.js";
import { TEMPLATE_SPEC_VERSION } from "./version.js";

export const TEMPLATE_BRAND = "@agentrt/template";

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** What the host hands a template: env, logger, operator settings and the services it declared. */
export interface TemplateContext<Services extends ServiceRefs = ServiceRefs> {
  /** Environment visible to templates (the server process env unless the operator narrows it). */
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** Operator settings addressed to this template by name (from the server configuration). */
  settings: Readonly<Record<string, unknown>>;
  /** The services declared in the template's `services`, by the same keys. */
  services: ServiceValues<Services>;
}

export interface ValidateContext<Services extends ServiceRefs = ServiceRefs>
  extends TemplateContext<Services> {
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
  /**
   * `false` when nobody reads this run's `output.delta` events (a chat completion that is neither
   * streamed nor stored): a template may then ask its model for the whole reply at once instead of
   * a stream. Absent or `true`: deltas are read.
   */
  outputDeltas?: boolean;
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

/**
 * What a template author writes. The package's version and the core range it supports are read by
 * the host from package.json (`version`, `agentrt.coreApi`); they are not repeated here.
 */
export interface TemplateDefinition<
  Schema extends z.ZodType = z.ZodType,
  Services extends ServiceRefs = Record<never, never>,
> {
  /** Unique template name, e.g. `task`. Lower-case letters, digits and dashes. */
  name: string;
  description?: string;
  /** zod schema of the agent config: validation, defaults, types and JSON Schema from one source. */
  configSchema: Schema;
  /** Optional schema of run input; when absent any JSON value is accepted. */
  inputSchema?: z.ZodType;
  /** Host services this template uses; a host that lacks a required one refuses the template. */
  services?: Services;
  /**
   * The template's own error codes (`UPPER_SNAKE`) with the HTTP status each maps to. Throw them as
   * `new AgentrtError("STEP_FAILED", …)`; clients see them as `<name>.STEP_FAILED`.
   */
  errors?: ErrorDeclarations;
  /**
   * Config migrations keyed by the template version that introduced them. Upgrading an agent
   * applies, in semver order, every migration newer than its version and not newer than the target.
   */
  migrations?: Record<string, ConfigMigration>;
  /** Cross-field and runtime-requirement checks that a schema cannot express. */
  validate?(
    config: z.output<Schema>,
    ctx: ValidateContext<Services>,
  ): FieldIssue[] | undefined | Promise<FieldIssue[] | undefined>;
  /**
   * Runs after `validate` succeeds and returns the config to store: the place to pin things that
   * must not change between runs (fetched code and its digest, a compiled artefact). Issues are
   * reported by throwing `AgentrtError(CONFIG_INVALID, …, { issues })`.
   */
  resolveConfig?(
    config: z.output<Schema>,
    ctx: ValidateContext<Services>,
  ): Promise<z.output<Schema>> | z.output<Schema>;
  /** Builds an agent instance from a validated config. */
  create(config: z.output<Schema>, ctx: TemplateContext<Services>): AgentInstance | Promise<AgentInstance>;
  /** Safe to re-run after a crash: interrupted runs are re-queued instead of failed. */
  idempotent?: boolean;
  /** Capability: takes OpenAI chat messages (`/v1/chat/completions`). */
  chat?: ChatCapability;
  /** Capability: keeps thread memory that the host can read and delete. */
  threads?: ThreadsCapability<Services>;
}

export type Template<
  Schema extends z.ZodType = z.ZodType,
  Services extends ServiceRefs = ServiceRefs,
> = Readonly<TemplateDefinition<Schema, Services>> & {
  readonly $$type: typeof TEMPLATE_BRAND;
  readonly specVersion: number;
};

/** Declares a template. The result carries a brand so hosts recognise it across package copies. */
export function defineTemplate<Schema extends z.ZodType, Services extends ServiceRefs = Record<never, never>>(
  definition: TemplateDefinition<Schema, Services>,
): Template<Schema, Services> {
  return Object.freeze({ ...definition, $$type: TEMPLATE_BRAND, specVersion: TEMPLATE_SPEC_VERSION });
}

const isFunction = (value: unknown) => typeof value === "function";

/** Structural brand check; never `instanceof`, which breaks when two copies of core are installed. */
export function isTemplate(value: unknown): value is Template {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Template>;
  return (
    candidate.$$type === TEMPLATE_BRAND &&
    typeof candidate.specVersion === "number" &&
    typeof candidate.name === "string" &&
    isFunction(candidate.create) &&
    isFunction((candidate.configSchema as { safeParse?: unknown } | undefined)?.safeParse) &&
    Object.values(candidate.services ?? {}).every(isServiceRef) &&
    (candidate.chat === undefined ||
      (isFunction(candidate.chat.toInput) && isFunction(candidate.chat.replyText))) &&
    (candidate.threads === undefined ||
      (isFunction(candidate.threads.messages) && isFunction(candidate.threads.delete)))
  );
}
