// A separate entry point so that opening the store does not load LangGraph's checkpoint library.
import type { RunnableConfig } from "@langchain/core/runnables";
import type {
  ChannelVersions,
  Checkpoint,
  CheckpointListOptions,
  CheckpointMetadata,
  CheckpointTuple,
  PendingWrite,
} from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import { withAdvisoryLock } from "./database.js";

/**
 * LangGraph's official PostgreSQL saver on the store's pool and schema. Its tables are created on
 * first use, under an advisory lock: the library's own `setup()` is not safe when several nodes run
 * it at once, and a node that never hosts a LangGraph template should not pay for it.
 */
export class PostgresCheckpointSaver extends PostgresSaver {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  #ready: Promise<void> | undefined;

  constructor(pool: pg.Pool, schema: string) {
    super(pool, undefined, { schema });
    this.#pool = pool;
    this.#schema = schema;
  }

  override setup(): Promise<void> {
    this.#ready ??= withAdvisoryLock(this.#pool, `agentrt.checkpoints.${this.#schema}`, () =>
      super.setup(),
    ).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    await this.setup();
    return super.getTuple(config);
  }

  override async *list(
    config: RunnableConfig,
    options?: CheckpointListOptions,
  ): AsyncGenerator<CheckpointTuple> {
    await this.setup();
    yield* super.list(config, options);
  }

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    await this.setup();
    return super.put(config, checkpoint, metadata, newVersions);
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    await this.setup();
    return super.putWrites(config, writes, taskId);
  }

  override async deleteThread(threadId: string): Promise<void> {
    await this.setup();
    return super.deleteThread(threadId);
  }

  /** The pool belongs to the store, which ends it on close. */
  override async end(): Promise<void> {}
}
