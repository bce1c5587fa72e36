/**
 * The schema, as an ordered list of migrations. Append only: a released migration is never edited.
 * Keys and times are `text COLLATE "C"` so they sort byte-wise, as ids and ISO times do in every
 * agentrt store (a locale collation would order `run_…` ids differently from SQLite). JSON values
 * are `text` holding the exact JSON the caller gave.
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
        id text COLLATE "C" PRIMARY KEY,
        name text COLLATE "C" NOT NULL CONSTRAINT agents_name_key UNIQUE,
        description text,
        template_name text COLLATE "C" NOT NULL,
        template_range text NOT NULL,
        template_version text NOT NULL,
        config text NOT NULL,
        revision integer NOT NULL,
        status text NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX agents_template_name ON agents (template_name, id);
      CREATE INDEX agents_status ON agents (status, id);

      CREATE TABLE agent_revisions (
        agent_id text COLLATE "C" NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        revision integer NOT NULL,
        template_version text NOT NULL,
        config text NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (agent_id, revision)
      );

      CREATE TABLE threads (
        id text COLLATE "C" PRIMARY KEY,
        agent_id text COLLATE "C" REFERENCES agents (id) ON DELETE CASCADE,
        metadata text NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX threads_agent ON threads (agent_id, id);

      -- thread_id and schedule_id carry no foreign key: run history outlives threads and schedules.
      CREATE TABLE runs (
        id text COLLATE "C" PRIMARY KEY,
        agent_id text COLLATE "C" NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        agent_revision integer NOT NULL,
        thread_id text COLLATE "C",
        schedule_id text COLLATE "C",
        input text,
        status text COLLATE "C" NOT NULL,
        output text,
        error text,
        idempotency_key text,
        webhook_url text,
        webhook_deliveries text NOT NULL,
        timeout_ms integer NOT NULL,
        last_seq integer NOT NULL DEFAULT 0,
        created_at text COLLATE "C" NOT NULL,
        started_at text,
        finished_at text
      );
      CREATE INDEX runs_agent ON runs (agent_id, id);
      CREATE INDEX runs_thread ON runs (thread_id, id);
      CREATE INDEX runs_status ON runs (status, id);
      CREATE INDEX runs_idempotency ON runs (agent_id, idempotency_key, created_at)
        WHERE idempotency_key IS NOT NULL;

      CREATE TABLE run_events (
        run_id text COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        type text NOT NULL,
        data text NOT NULL,
        created_at text NOT NULL,
        PRIMARY KEY (run_id, seq)
      );

      CREATE TABLE schedules (
        id text COLLATE "C" PRIMARY KEY,
        agent_id text COLLATE "C" NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        cron text NOT NULL,
        timezone text NOT NULL,
        input text,
        webhook_url text,
        enabled boolean NOT NULL,
        next_run_at text COLLATE "C",
        last_run_at text,
        last_run_id text,
        created_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX schedules_agent ON schedules (agent_id, id);
      CREATE INDEX schedules_due ON schedules (next_run_at) WHERE enabled AND next_run_at IS NOT NULL;

      CREATE TABLE api_keys (
        id text COLLATE "C" PRIMARY KEY,
        name text NOT NULL,
        prefix text NOT NULL,
        hash text NOT NULL UNIQUE,
        scopes text NOT NULL,
        created_at text NOT NULL,
        last_used_at text
      );

      -- Run admission on a thread holds its lease, so two submissions never race, whichever node
      -- they come from. A lease that outlives its holder (a crash) expires.
      CREATE TABLE thread_leases (
        thread_id text COLLATE "C" PRIMARY KEY REFERENCES threads (id) ON DELETE CASCADE,
        holder text NOT NULL,
        expires_at bigint NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "run_leases",
    sql: `
      -- Nodes renew their lease while they live; a run belongs to the node that accepted or took it.
      CREATE TABLE nodes (
        id text COLLATE "C" PRIMARY KEY,
        expires_at bigint NOT NULL,
        started_at text NOT NULL
      );
      ALTER TABLE runs ADD COLUMN owner text COLLATE "C";
      CREATE INDEX runs_unfinished_owner ON runs (owner, id) WHERE status IN ('queued', 'running');
    `,
  },
  {
    version: 3,
    // The Store interface grew after version 2 (retention, schedule overlap, limits): the same
    // columns and tables SQLite migrations 4–6 add.
    name: "retention_overlap_limits",
    sql: `
      ALTER TABLE agents ADD COLUMN retention text;
      ALTER TABLE agents ADD COLUMN limits text NOT NULL DEFAULT '{}';
      ALTER TABLE api_keys ADD COLUMN rate_limits text NOT NULL DEFAULT '{}';
      ALTER TABLE schedules ADD COLUMN overlap text NOT NULL DEFAULT 'skip'
        CHECK (overlap IN ('skip', 'enqueue', 'allow'));
      ALTER TABLE runs ADD COLUMN compacted boolean NOT NULL DEFAULT false;
      -- Retention and the token quota compare these with ISO times: byte-wise, like the other keys.
      ALTER TABLE runs ALTER COLUMN finished_at TYPE text COLLATE "C";
      ALTER TABLE run_events ALTER COLUMN created_at TYPE text COLLATE "C";
      -- Serves the pruner's age and count rules and the tokens-per-day quota's sum.
      CREATE INDEX runs_agent_finished ON runs (agent_id, finished_at);
      -- Compaction walks only runs not compacted yet, however many compacted ones are kept.
      CREATE INDEX runs_uncompacted ON runs (agent_id, finished_at)
        WHERE NOT compacted AND finished_at IS NOT NULL;
      CREATE INDEX runs_schedule ON runs (schedule_id, id) WHERE schedule_id IS NOT NULL;
      CREATE INDEX threads_idle ON threads (agent_id, updated_at);
      CREATE INDEX run_events_usage ON run_events (run_id, created_at) WHERE type = 'usage';

      -- A removed run's id answers RUN_EXPIRED / RUN_DELETED (not RUN_NOT_FOUND) while this lasts.
      CREATE TABLE run_tombstones (
        id text COLLATE "C" PRIMARY KEY,
        agent_id text COLLATE "C" NOT NULL,
        reason text NOT NULL,
        removed_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX run_tombstones_removed ON run_tombstones (removed_at);
    `,
  },
  {
    version: 4,
    name: "run_invoke_depth",
    sql: `
      -- A child run's invokeAgent depth, so the depth limit survives recovery and take-over.
      ALTER TABLE runs ADD COLUMN invoke_depth integer NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 5,
    name: "run_trace_context",
    sql: `
      -- The submitter's W3C trace context, so a run's span joins the request's trace even when it
      -- executes later, on another node or after a restart.
      ALTER TABLE runs ADD COLUMN trace_parent text;
      ALTER TABLE runs ADD COLUMN trace_state text;
    `,
  },
  {
    version: 6,
    name: "rate_limits_running_runs",
    sql: `
      -- rate-limiter-flexible's RateLimiterPostgres table (its own layout), so API-key and
      -- runs-per-minute limits count across nodes. Created here, not by the library at run time.
      CREATE TABLE rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      );
      -- Starting a run counts the runs running, in all and of its agent (cluster-wide limits).
      CREATE INDEX runs_running_agent ON runs (agent_id) WHERE status = 'running';
    `,
  },
  {
    version: 7,
    name: "run_epoch",
    sql: `
      -- Moved on at every take-over and start: an execution's writes carry the epoch it started
      -- with, so a stalled one is refused even when its run came back to the same node.
      ALTER TABLE runs ADD COLUMN epoch integer NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 8,
    name: "unstored_runs",
    sql: `
      -- What usage needs of runs that were not stored (completions nobody asked to keep): the
      -- statistics and the token quota count them, on every node; kept for two days.
      CREATE TABLE unstored_runs (
        agent_id text COLLATE "C" NOT NULL,
        agent_revision integer NOT NULL,
        status text COLLATE "C" NOT NULL,
        started_at text COLLATE "C" NOT NULL,
        finished_at text COLLATE "C" NOT NULL,
        tokens bigint NOT NULL
      );
      CREATE INDEX unstored_runs_agent ON unstored_runs (agent_id, finished_at);
      CREATE INDEX unstored_runs_finished ON unstored_runs (finished_at);
    `,
  },
  {
    version: 9,
    name: "run_request_id",
    sql: `
      -- The submitting request's id, so a run's log lines name it on whichever node executes it.
      ALTER TABLE runs ADD COLUMN request_id text;
    `,
  },
];
