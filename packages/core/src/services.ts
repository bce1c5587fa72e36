const SERVICE_REF_BRAND = "@agentrt/service-ref";

/**
 * A typed reference to something the host provides (Backstage's service refs, Fastify's declared
 * dependencies): a template lists the refs it needs in `services`, the host checks at load that it
 * provides every required one (else `TEMPLATE_SERVICE_MISSING`) and hands the values to the template
 * as `ctx.services.<key>`, typed by the ref.
 */
export interface ServiceRef<T> {
  readonly $$type: typeof SERVICE_REF_BRAND;
  /** Globally unique, e.g. `agentrt.checkpointer`; hosts provide services by id. */
  readonly id: string;
  /** An optional service may be absent: the template gets `undefined` instead of being refused. */
  readonly optional: boolean;
  /** Type carrier only; never set. */
  readonly __type?: T;
}

export function createServiceRef<T>(id: string): ServiceRef<T> {
  return Object.freeze({ $$type: SERVICE_REF_BRAND, id, optional: false });
}

/** The same service, but the template also loads on a host without it. */
export function optionalService<T>(ref: ServiceRef<T>): ServiceRef<T | undefined> {
  return Object.freeze({ $$type: SERVICE_REF_BRAND, id: ref.id, optional: true });
}

export function isServiceRef(value: unknown): value is ServiceRef<unknown> {
  const candidate = value as Partial<ServiceRef<unknown>> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    candidate.$$type === SERVICE_REF_BRAND &&
    typeof candidate.id === "string" &&
    typeof candidate.optional === "boolean"
  );
}

export type ServiceRefs = Readonly<Record<string, ServiceRef<unknown>>>;

/** What `ctx.services` holds for a template that declared `refs`. */
export type ServiceValues<Refs extends ServiceRefs> = {
  readonly [K in keyof Refs]: Refs[K] extends ServiceRef<infer T> ? T : never;
};

/**
 * A LangGraph checkpoint saver (`BaseCheckpointSaver` of `@langchain/langgraph-checkpoint`), typed by
 * the methods hosts and templates use so that core needs no LangGraph. Templates narrow it to the
 * real class with a structural check.
 */
export interface CheckpointSaver {
  getTuple(config: { configurable?: Record<string, unknown> }): Promise<unknown>;
  put(...args: never[]): Promise<unknown>;
  putWrites(...args: never[]): Promise<unknown>;
  list(...args: never[]): AsyncGenerator<unknown>;
  deleteThread(threadId: string): Promise<void>;
}

/** Where a template finds provider keys referenced by name (`{ "secret": "openai" }`). */
export interface SecretStore {
  get(name: string): Promise<string | undefined> | string | undefined;
}

/** What a template may know of another agent, e.g. to offer it to a model as a tool (contract 2.1). */
export interface AgentDescription {
  id: string;
  name: string;
  description: string | undefined;
  /** Its template's name. */
  template: string;
  /**
   * JSON Schema (draft 2020-12) of the run input its template takes; `undefined` when the template
   * declares no input schema (any JSON is taken).
   */
  inputSchema: Record<string, unknown> | undefined;
}

/** Read-only view of the host's agents, for checks a template makes when an agent is configured. */
export interface AgentDirectory {
  /** Whether an agent with this id or name exists now. */
  exists(idOrName: string): Promise<boolean>;
  /** The agent with this id or name as it is now, or `undefined` (contract 2.1). */
  describe(idOrName: string): Promise<AgentDescription | undefined>;
}

/** Services agentrt hosts know by id. A host may provide more; templates may define their own refs. */

export const coreServices = {
  /** The host's agents (e.g. to check at create time that a step's agent exists, or read its input schema). */
  agents: createServiceRef<AgentDirectory>("agentrt.agents"),
  /** Durable LangGraph thread memory on the host's store. */
  checkpointer: createServiceRef<CheckpointSaver>("agentrt.checkpointer"),
  /** Named secrets, e.g. provider API keys. */
  secrets: createServiceRef<SecretStore>("agentrt.secrets"),
} as const;
