import type { DatabaseSync } from "node:sqlite";

/**
 * Group commit: write operations issued in the same event-loop turn run in one transaction, each in
 * its own savepoint, and their promises settle after the shared COMMIT. Under concurrent load a
 * commit (the WAL write, most of a small write's cost) serves many operations; one operation's
 * failure rolls back only its own savepoint. Durability is unchanged: nothing resolves before COMMIT.
 */
export interface GroupCommit {
  /** Runs `op` in the next group transaction. */
  write<T>(op: () => T): Promise<T>;
  /**
   * Runs `op` now, or after the writes still waiting, when there are some: a read issued after a
   * write always sees it, awaited or not.
   */
  read<T>(op: () => T): Promise<T>;
  /** Commits what is waiting now (before the database closes). */
  flush(): void;
}

interface Op {
  run(): unknown;
  /** Writes get a savepoint, so a failure undoes only their own changes; reads need none. */
  savepoint: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Set once `run` returned or threw inside the transaction. */
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

export function createGroupCommit(db: DatabaseSync): GroupCommit {
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const savepoint = db.prepare("SAVEPOINT op");
  const release = db.prepare("RELEASE op");
  const rollbackTo = db.prepare("ROLLBACK TO op");
  let waiting: Op[] = [];

  function runOp(op: Op): void {
    if (op.savepoint) savepoint.run();
    try {
      op.outcome = { ok: true, value: op.run() };
    } catch (error) {
      op.outcome = { ok: false, error };
      // Some errors (disk full, I/O) end the whole transaction: then the whole group has failed.
      if (!db.isTransaction) throw error;
      if (op.savepoint) rollbackTo.run();
    }
    if (op.savepoint) release.run();
  }

  function flush(): void {
    const ops = waiting;
    waiting = [];
    if (ops.length === 0) return;
    if (!db.isOpen) {
      const error = new Error("the database is closed");
      for (const op of ops) op.reject(error);
      return;
    }
    try {
      begin.run();
      for (const op of ops) runOp(op);
      commit.run();
    } catch (error) {
      // BEGIN or COMMIT failed (busy past the timeout, disk full...): nothing of the group is stored.
      if (db.isTransaction) db.exec("ROLLBACK");
      for (const op of ops) op.reject(error);
      return;
    }
    for (const op of ops) {
      const outcome = op.outcome!;
      if (outcome.ok) op.resolve(outcome.value);
      else op.reject(outcome.error);
    }
  }

  function enqueue<T>(run: () => T, savepoint: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // The first write of a turn schedules the group's flush.
      if (waiting.push({ run, savepoint, resolve: resolve as (value: unknown) => void, reject }) === 1)
        setImmediate(flush);
    });
  }

  return {
    write: (op) => enqueue(op, true),
    read(op) {
      if (waiting.length > 0) return enqueue(op, false);
      try {
        return Promise.resolve(op());
      } catch (error) {
        return Promise.reject(error);
      }
    },
    flush,
  };
}
