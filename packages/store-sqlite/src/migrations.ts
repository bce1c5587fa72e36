/**
 * The schema, as an ordered list of migrations. Append only: a released migration is never edited,
 * because databases that already ran it would silently diverge.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "core_tables",
    sql: `
      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT,
        template_name TEXT NOT NULL,
        template_range TEXT NOT NULL,
        template_version TEXT NOT NULL,
        config TEXT NOT NULL,
        revision INTEGER NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX agents_template_name ON agents (template_name, id);

      CREATE TABLE agent_revisions (
        agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        revision INTEGER NOT NULL,
        template_version TEXT NOT NULL,
        config TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (agent_id, revision)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE threads (
        id TEXT PRIMARY KEY,
        agent_id TEXT REFERENCES agents (id) ON DELETE CASCADE,
        metadata TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX threads_agent ON threads (agent_id, id);

      -- thread_id and schedule_id carry no foreign key: run history outlives threads and schedules.
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        agent_revision INTEGER NOT NULL,
        thread_id TEXT,
        schedule_id TEXT,
        input TEXT,
        status TEXT NOT NULL,
        output TEXT,
        error TEXT,
        idempotency_key TEXT,
        webhook_url TEXT,
        webhook_deliveries TEXT NOT NULL,
        timeout_ms INTEGER NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      ) STRICT;
      CREATE INDEX runs_agent ON runs (agent_id, id);
      CREATE INDEX runs_thread ON runs (thread_id, id);
      CREATE INDEX runs_status ON runs (status, id);
      CREATE INDEX runs_idempotency ON runs (agent_id, idempotency_key, created_at)
        WHERE idempotency_key IS NOT NULL;

      CREATE TABLE run_events (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE schedules (
        id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        cron TEXT NOT NULL,
        timezone TEXT NOT NULL,
        input TEXT,
        webhook_url TEXT,
        enabled INTEGER NOT NULL,
        next_run_at TEXT,
        last_run_at TEXT,
        last_run_id TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX schedules_agent ON schedules (agent_id, id);
      CREATE INDEX schedules_due ON schedules (next_run_at) WHERE enabled = 1 AND next_run_at IS NOT NULL;

      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: "langgraph_checkpoints",
    sql: `
      -- LangGraph checkpoints. Channel values live in checkpoint_blobs keyed by version, so a
      -- checkpoint stores only the channels that changed and reads the rest from its ancestors.
      CREATE TABLE checkpoints (
        thread_id TEXT NOT NULL,
        checkpoint_ns TEXT NOT NULL DEFAULT '',
        checkpoint_id TEXT NOT NULL,
        parent_checkpoint_id TEXT,
        type TEXT NOT NULL,
        checkpoint BLOB NOT NULL,
        metadata_type TEXT NOT NULL,
        metadata BLOB NOT NULL,
        PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX checkpoints_id ON checkpoints (checkpoint_id);

      CREATE TABLE checkpoint_blobs (
        thread_id TEXT NOT NULL,
        checkpoint_ns TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL,
        version TEXT NOT NULL,
        type TEXT NOT NULL,
        blob BLOB,
        PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE checkpoint_writes (
        thread_id TEXT NOT NULL,
        checkpoint_ns TEXT NOT NULL DEFAULT '',
        checkpoint_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        channel TEXT NOT NULL,
        type TEXT NOT NULL,
        blob BLOB NOT NULL,
        task_path TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: "thread_leases",
    sql: `
      -- Run admission on a thread holds its lease, so two submissions never race, whichever
      -- process they come from. A lease that outlives its holder (a crash) expires.
      CREATE TABLE thread_leases (
        thread_id TEXT PRIMARY KEY REFERENCES threads (id) ON DELETE CASCADE,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    // Retention (issue 23): agents' retention override, tombstones of removed runs, a compaction
    // marker, and the indexes the background pruner's batches need.
    name: "retention",
    sql: `
      ALTER TABLE agents ADD COLUMN retention TEXT;
      ALTER TABLE runs ADD COLUMN compacted INTEGER NOT NULL DEFAULT 0;
      -- Serves the pruner's age and count rules and the tokens-per-day quota's sum.
      CREATE INDEX runs_agent_finished ON runs (agent_id, finished_at);
      -- Compaction walks only runs not compacted yet, however many compacted ones are kept.
      CREATE INDEX runs_uncompacted ON runs (agent_id, finished_at) WHERE compacted = 0 AND finished_at IS NOT NULL;
      CREATE INDEX runs_schedule ON runs (schedule_id, id) WHERE schedule_id IS NOT NULL;
      CREATE INDEX threads_idle ON threads (agent_id, updated_at);

      -- A removed run's id answers RUN_EXPIRED / RUN_DELETED (not RUN_NOT_FOUND) while this lasts.
      CREATE TABLE run_tombstones (
        id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        removed_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX run_tombstones_removed ON run_tombstones (removed_at);
      `,
  },
  {
    version: 5,
    name: "schedule_overlap",
    sql: `
      -- Schedules' overlap policy (issue 13): what a tick does while the previous run is unfinished.
      ALTER TABLE schedules ADD COLUMN overlap TEXT NOT NULL DEFAULT 'skip'
        CHECK (overlap IN ('skip', 'enqueue', 'allow'));
    `,
  },
  {
    version: 6,
    name: "agent_limits_and_key_rate_limits",
    sql: `
      -- Rate limits and quotas: an agent's limits (JSON, null fields mean none), an API key's own
      -- request limits per scope class (JSON).
      ALTER TABLE agents ADD COLUMN limits TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE api_keys ADD COLUMN rate_limits TEXT NOT NULL DEFAULT '{}';
    `,
  },
  {
    version: 7,
    name: "run_invoke_depth",
    sql: `
      -- A child run's invokeAgent depth, so the depth limit survives recovery and re-queueing.
      ALTER TABLE runs ADD COLUMN invoke_depth INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 8,
    name: "run_trace_context",
    sql: `
      -- The submitter's W3C trace context, so a run's span joins the request's trace even when it
      -- executes after a restart.
      ALTER TABLE runs ADD COLUMN trace_parent TEXT;
      ALTER TABLE runs ADD COLUMN trace_state TEXT;
    `,
  },
  {
    version: 9,
    name: "unstored_runs",
    sql: `
      -- What usage needs of runs that were not stored (completions nobody asked to keep): the
      -- statistics and the token quota count them; kept for two days (UNSTORED_RUNS_KEPT_MS).
      CREATE TABLE unstored_runs (
        agent_id TEXT NOT NULL,
        agent_revision INTEGER NOT NULL,
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        tokens INTEGER NOT NULL
      );
      CREATE INDEX unstored_runs_agent ON unstored_runs (agent_id, finished_at);
      CREATE INDEX unstored_runs_finished ON unstored_runs (finished_at);
    `,
  },
  {
    version: 10,
    name: "run_request_id",
    sql: `
      -- The submitting request's id, so a run's log lines name it after a restart too.
      ALTER TABLE runs ADD COLUMN request_id TEXT;
    `,
  },
];
