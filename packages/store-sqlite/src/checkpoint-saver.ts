import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { RunnableConfig } from "@langchain/core/runnables";
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  maxChannelVersion,
  type PendingWrite,
  type SerializerProtocol,
  TASKS,
  WRITES_IDX_MAP,
  writesSortKey,
} from "@langchain/langgraph-checkpoint";
import { prepareCheckpointDeletes } from "./checkpoint-cleanup.js";
import { createStatementCache, transaction } from "./database.js";

interface CheckpointRow {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  type: string;
  checkpoint: Uint8Array;
  metadata_type: string;
  metadata: Uint8Array;
}

interface BlobRow {
  channel: string;
  type: string;
  blob: Uint8Array | null;
}

interface WriteRow {
  task_id: string;
  idx: number;
  channel: string;
  type: string;
  blob: Uint8Array;
  task_path: string;
}

/** Marks a channel that was given a new version but holds no value (LangGraph's "empty" channel). */
const EMPTY_BLOB_TYPE = "empty";

function requireThreadId(config: RunnableConfig, operation: string): string {
  const threadId = config.configurable?.thread_id;
  if (threadId === undefined || threadId === null || threadId === "") {
    throw new Error(
      `Failed to ${operation}: the config is missing "configurable.thread_id", which names the thread whose state is persisted`,
    );
  }
  return String(threadId);
}

function namespaceOf(config: RunnableConfig): string {
  return String(config.configurable?.checkpoint_ns ?? "");
}

/**
 * A LangGraph checkpointer on the agentrt SQLite database (tables from the store's migrations).
 * Obtain it as `store.checkpointer`; it shares the store's connection and closes with it.
 *
 * Channel values are stored per (channel, version) in `checkpoint_blobs`, and a checkpoint row
 * keeps only its `channel_versions`: `put` writes just the channels listed in `newVersions`, and
 * reading a checkpoint joins its versions back to their blobs, wherever an ancestor stored them.
 */
export class SqliteCheckpointSaver extends BaseCheckpointSaver {
  readonly #db: DatabaseSync;
  readonly #prepare: ReturnType<typeof createStatementCache>;
  readonly #deleteThread: (threadId: string) => void;

  constructor(db: DatabaseSync, serde?: SerializerProtocol) {
    super(serde);
    this.#db = db;
    this.#prepare = createStatementCache(db);
    this.#deleteThread = prepareCheckpointDeletes(db, "thread_id = ?");
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id;
    if (threadId === undefined || threadId === null) return undefined;
    const checkpointNs = namespaceOf(config);
    const checkpointId = getCheckpointId(config);
    const row = (
      checkpointId
        ? this.#prepare(
            "SELECT * FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?",
          ).get(String(threadId), checkpointNs, checkpointId)
        : this.#prepare(
            "SELECT * FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? ORDER BY checkpoint_id DESC LIMIT 1",
          ).get(String(threadId), checkpointNs)
    ) as CheckpointRow | undefined;
    return row ? this.#toTuple(row) : undefined;
  }

  async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    const { before, limit, filter } = options ?? {};
    const terms: string[] = [];
    const params: SQLInputValue[] = [];
    const where = (term: string, value: unknown) => {
      terms.push(term);
      params.push(String(value));
    };
    const configurable = config.configurable ?? {};
    if (configurable.thread_id !== undefined) where("thread_id = ?", configurable.thread_id);
    if (configurable.checkpoint_ns !== undefined) where("checkpoint_ns = ?", configurable.checkpoint_ns);
    if (configurable.checkpoint_id) where("checkpoint_id = ?", configurable.checkpoint_id);
    if (before?.configurable?.checkpoint_id) where("checkpoint_id < ?", before.configurable.checkpoint_id);
    const filters = Object.entries(filter ?? {});
    // Metadata is an opaque serialized blob, so a metadata filter is applied after decoding and the
    // limit can only go into SQL when there is none (a negative LIMIT means none).
    const sqlLimit = limit !== undefined && filters.length === 0 ? Math.max(0, Math.trunc(limit)) : -1;
    const whereSql = terms.length > 0 ? `WHERE ${terms.join(" AND ")}` : "";
    // Rows are read up front so no statement stays open across the awaits below.
    const rows = this.#prepare(
      `SELECT * FROM checkpoints ${whereSql} ORDER BY checkpoint_id DESC LIMIT ?`,
    ).all(...params, sqlLimit) as unknown as CheckpointRow[];
    let remaining = limit ?? Number.POSITIVE_INFINITY;
    for (const row of rows) {
      if (remaining <= 0) return;
      const metadata = (await this.serde.loadsTyped(row.metadata_type, row.metadata)) as CheckpointMetadata;
      const record = metadata as unknown as Record<string, unknown>;
      if (!filters.every(([key, value]) => record[key] === value)) continue;
      remaining -= 1;
      yield await this.#toTuple(row, metadata);
    }
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const threadId = requireThreadId(config, "put checkpoint");
    const checkpointNs = namespaceOf(config);
    const parentId = config.configurable?.checkpoint_id;
    const { channel_values: values, ...rest } = copyCheckpoint(checkpoint);
    const [[checkpointType, checkpointBlob], [metadataType, metadataBlob]] = await Promise.all([
      this.serde.dumpsTyped({ ...rest, channel_values: {} }),
      this.serde.dumpsTyped(metadata),
    ]);
    const blobs = await Promise.all(
      Object.entries(newVersions).map(async ([channel, version]) => {
        if (!(channel in values)) return [channel, String(version), EMPTY_BLOB_TYPE, null] as const;
        const [type, blob] = await this.serde.dumpsTyped(values[channel]);
        return [channel, String(version), type, blob] as const;
      }),
    );
    const insertBlob = this.#prepare(`
      INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
    const insertCheckpoint = this.#prepare(`
      INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type,
                                          checkpoint, metadata_type, metadata)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    transaction(this.#db, () => {
      for (const [channel, version, type, blob] of blobs) {
        insertBlob.run(threadId, checkpointNs, channel, version, type, blob);
      }
      insertCheckpoint.run(
        threadId,
        checkpointNs,
        checkpoint.id,
        parentId ? String(parentId) : null,
        checkpointType,
        checkpointBlob,
        metadataType,
        metadataBlob,
      );
    });
    return {
      configurable: { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: checkpoint.id },
    };
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = "",
  ): Promise<void> {
    const threadId = requireThreadId(config, "put writes");
    const checkpointId = config.configurable?.checkpoint_id;
    if (!checkpointId) {
      throw new Error('Failed to put writes: the config is missing "configurable.checkpoint_id"');
    }
    const checkpointNs = namespaceOf(config);
    const rows = await Promise.all(
      writes.map(async ([channel, value], idx) => {
        const [type, blob] = await this.serde.dumpsTyped(value);
        return { channel, idx: WRITES_IDX_MAP[channel] ?? idx, type, blob };
      }),
    );
    // Special writes (errors, interrupts; negative idx) replace an earlier one; regular writes
    // are kept as first written, so a retried task cannot change what was recorded.
    const replace = this.#prepare(`
      INSERT OR REPLACE INTO checkpoint_writes
        (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, task_path)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const keep = this.#prepare(`
      INSERT OR IGNORE INTO checkpoint_writes
        (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, task_path)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    transaction(this.#db, () => {
      for (const row of rows) {
        (row.idx < 0 ? replace : keep).run(
          threadId,
          checkpointNs,
          String(checkpointId),
          taskId,
          row.idx,
          row.channel,
          row.type,
          row.blob,
          taskPath,
        );
      }
    });
  }

  async deleteThread(threadId: string): Promise<void> {
    transaction(this.#db, () => this.#deleteThread(String(threadId)));
  }

  async #toTuple(row: CheckpointRow, knownMetadata?: CheckpointMetadata): Promise<CheckpointTuple> {
    const checkpoint = (await this.serde.loadsTyped(row.type, row.checkpoint)) as Checkpoint;
    checkpoint.channel_values = await this.#loadChannelValues(row, checkpoint.channel_versions);
    if (checkpoint.v < 4 && row.parent_checkpoint_id !== null) {
      await this.#migratePendingSends(checkpoint, row);
    }
    const metadata =
      knownMetadata ?? ((await this.serde.loadsTyped(row.metadata_type, row.metadata)) as CheckpointMetadata);
    const tuple: CheckpointTuple = {
      config: {
        configurable: {
          thread_id: row.thread_id,
          checkpoint_ns: row.checkpoint_ns,
          checkpoint_id: row.checkpoint_id,
        },
      },
      checkpoint,
      metadata,
      pendingWrites: await this.#loadWrites(row),
    };
    if (row.parent_checkpoint_id !== null) {
      tuple.parentConfig = {
        configurable: {
          thread_id: row.thread_id,
          checkpoint_ns: row.checkpoint_ns,
          checkpoint_id: row.parent_checkpoint_id,
        },
      };
    }
    return tuple;
  }

  async #loadChannelValues(row: CheckpointRow, versions: ChannelVersions): Promise<Record<string, unknown>> {
    const wanted = Object.fromEntries(
      Object.entries(versions ?? {}).map(([channel, v]) => [channel, String(v)]),
    );
    const blobs = this.#prepare(`
      SELECT b.channel, b.type, b.blob
      FROM json_each(?) AS v
      JOIN checkpoint_blobs AS b
        ON b.thread_id = ? AND b.checkpoint_ns = ? AND b.channel = v.key AND b.version = v.value`).all(
      JSON.stringify(wanted),
      row.thread_id,
      row.checkpoint_ns,
    ) as unknown as BlobRow[];
    const values: Record<string, unknown> = {};
    for (const blob of blobs) {
      if (blob.type === EMPTY_BLOB_TYPE || blob.blob === null) continue;
      values[blob.channel] = await this.serde.loadsTyped(blob.type, blob.blob);
    }
    return values;
  }

  /** Writes of one checkpoint in `writesSortKey` order, the order live execution applies them in. */
  #orderedWrites(threadId: string, checkpointNs: string, checkpointId: string, channel?: string): WriteRow[] {
    const rows = (channel === undefined
      ? this.#prepare(
          "SELECT * FROM checkpoint_writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?",
        ).all(threadId, checkpointNs, checkpointId)
      : this.#prepare(
          "SELECT * FROM checkpoint_writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ? AND channel = ?",
        ).all(threadId, checkpointNs, checkpointId, channel)) as unknown as WriteRow[];
    return rows.sort((a, b) =>
      compareWritesSortKeys(
        writesSortKey(a.task_path, a.task_id, a.idx),
        writesSortKey(b.task_path, b.task_id, b.idx),
      ),
    );
  }

  async #loadWrites(row: CheckpointRow): Promise<CheckpointPendingWrite[]> {
    const writes = this.#orderedWrites(row.thread_id, row.checkpoint_ns, row.checkpoint_id);
    return Promise.all(
      writes.map(
        async (write): Promise<CheckpointPendingWrite> => [
          write.task_id,
          write.channel,
          await this.serde.loadsTyped(write.type, write.blob),
        ],
      ),
    );
  }

  /**
   * Checkpoints older than format v4 kept pending `Send`s as writes to the TASKS channel of their
   * parent; LangGraph expects them moved into the checkpoint's own channel values on read.
   */
  async #migratePendingSends(checkpoint: Checkpoint, row: CheckpointRow): Promise<void> {
    const sends = this.#orderedWrites(row.thread_id, row.checkpoint_ns, row.parent_checkpoint_id!, TASKS);
    checkpoint.channel_values[TASKS] = await Promise.all(
      sends.map((send) => this.serde.loadsTyped(send.type, send.blob)),
    );
    const versions = Object.values(checkpoint.channel_versions);
    checkpoint.channel_versions[TASKS] =
      versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }
}
