import { readFileSync, writeFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { AgentrtError, ErrorCode } from "@agentrt/core";

/** Held while a server owns the database file; `release` gives it up (idempotent). */
export interface DatabaseLock {
  release(): void;
}

/**
 * Claims the database file for this process alone. The claim is an exclusive SQLite lock on
 * `<db>.lock` (an OS file lock, so the kernel drops it when the process dies, even on SIGKILL, and no
 * stale-lock clean-up is needed); `<db>.pid` next to it names the holder for the error message.
 * Taken before the database is opened: a refused process has read or written nothing.
 */
export function lockDatabase(path: string): DatabaseLock {
  const lockFile = `${path}.lock`;
  const pidFile = `${path}.pid`;
  const lock = new DatabaseSync(lockFile, { timeout: 0 });
  try {
    // In EXCLUSIVE locking mode the lock of the first write transaction is kept until close.
    lock.exec("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;");
  } catch (cause) {
    lock.close();
    throw new AgentrtError(
      ErrorCode.NOT_READY,
      `${path} is in use by another agentrt process (${holder(pidFile)}); stop it first, or give this one its own AGENTRT_DATA_DIR (or AGENTRT_DATABASE_URL=postgres://… to run several nodes)`,
      { cause, details: { path } },
    );
  }
  writeFileSync(pidFile, `${process.pid}\n`);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      lock.close();
    },
  };
}

function holder(pidFile: string): string {
  try {
    const pid = readFileSync(pidFile, "utf8").trim();
    return /^\d+$/.test(pid) ? `pid ${pid}` : "pid unknown";
  } catch {
    return "pid unknown";
  }
}
