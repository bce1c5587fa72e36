import { Worker } from "node:worker_threads";

/**
 * The worker's whole program: its own connection to the file, checkpointing on a timer. Inline
 * (CommonJS, `eval`) so it needs no second build entry; it uses nothing but `node:sqlite`.
 */
const WORKER_SOURCE = `
const { DatabaseSync } = require("node:sqlite");
const { parentPort, workerData } = require("node:worker_threads");
const db = new DatabaseSync(workerData.path, { timeout: 0 });
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const run = () => {
  // PASSIVE never waits for readers or writers. Frames written during a pass are copied by the next
  // (short) one: only a WAL copied to its end lets the next write start it over from the beginning.
  try {
    for (let pass = 0; pass < 8; pass++) {
      const { busy, log, checkpointed } = checkpoint.get();
      if (busy || checkpointed >= log) break;
    }
  } catch {}
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  close(): Promise<void>;
}

/**
 * Copies the WAL into the database file from a worker thread, so the write path never pays for it.
 * With SQLite's own auto-checkpoint, the commit that crosses the threshold (1000 pages) copies the
 * whole WAL and fsyncs the file on the event loop: a 5–50 ms stall every ~125 agent creates, which
 * was most of the write path's p99/p99.9 (issue 22). The main connection keeps auto-checkpoint only
 * as a far-off safety net (`fallbackPages`), should the worker fall behind.
 */
export function startWalCheckpointer(path: string, intervalMs: number): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, intervalMs } });
  // A store left open must not keep the process alive.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  // An error inside the worker ends it; the safety net keeps the WAL bounded.
  worker.on("error", () => {});
  return {
    async close() {
      // Referenced again, so waiting for its exit keeps the process alive.
      worker.ref();
      worker.postMessage("close");
      await exited;
    },
  };
}

/** Auto-checkpoint threshold (pages) on the main connection while the worker checkpoints. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
