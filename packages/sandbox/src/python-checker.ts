import type { ChildProcess } from "node:child_process";
import { AgentrtError } from "@agentrt/core";
import { resolvePackageDirs, spawnSandboxChild } from "./child-process.js";
import { SandboxErrorCode } from "./errors.js";
import { createSandboxWorker, type SandboxWorker } from "./worker.js";

/** A Python sandbox child kept for syntax checks only; closed after this long without work. */
const IDLE_MS = 30_000;
const CHECK_TIMEOUT_MS = 60_000;

export type CheckOutcome =
  | ["ok" | "no-entry" | "imports", string[]]
  | ["syntax", { line: number; column: number; message: string }];

let checker:
  | { worker: SandboxWorker; child: ChildProcess; pending: number; idle?: NodeJS.Timeout }
  | undefined;

/**
 * Parses Python source with `ast.parse` inside a sandboxed Pyodide (never in this process), lists
 * its top-level functions and the imports that are neither standard library nor in `modules`. The
 * checker process is shared, started on first use, and does not keep the host process alive while
 * idle.
 */
export function checkPythonSource(
  source: string,
  entryPoint: string,
  modules: string[] = [],
): Promise<CheckOutcome> {
  // The checker's interpreter takes one request at a time: concurrent checks wait their turn.
  const outcome = queue.then(() => checkNow(source, entryPoint, modules));
  queue = outcome.catch(() => undefined);
  return outcome;
}

let queue: Promise<unknown> = Promise.resolve();

async function checkNow(source: string, entryPoint: string, modules: string[]): Promise<CheckOutcome> {
  const current = acquire();
  const { done } = current.worker.request({ type: "check", source, entryPoint, modules });
  const timer = setTimeout(() => current.worker.kill("syntax check took too long"), CHECK_TIMEOUT_MS);
  try {
    const reply = await done;
    if (reply.error) {
      throw new AgentrtError(
        SandboxErrorCode.SANDBOX_CRASHED,
        `the Python syntax check failed: ${reply.error.message}`,
        {
          ...(reply.error.details ? { details: reply.error.details } : {}),
        },
      );
    }
    return JSON.parse(reply.resultJson ?? "[]") as CheckOutcome;
  } finally {
    clearTimeout(timer);
    release(current);
  }
}

function acquire(): NonNullable<typeof checker> {
  if (!checker || checker.worker.state === "dead") {
    let child!: ChildProcess;
    const worker = createSandboxWorker({
      spawn: () => {
        child = spawnSandboxChild({
          kind: "python",
          heapMb: 512,
          args: [resolvePackageDirs().pyodide, "--role=checker"],
        });
        return child;
      },
      heartbeatMs: 1_000,
      startupMs: CHECK_TIMEOUT_MS,
      onReady: () => undefined,
      onExit: (w) => {
        if (checker?.worker === w) checker = undefined;
      },
    });
    checker = { worker, child, pending: 0 };
  }
  clearTimeout(checker.idle);
  if (checker.pending++ === 0) setRef(checker.child, true);
  return checker;
}

function release(current: NonNullable<typeof checker>): void {
  if (--current.pending > 0) return;
  setRef(current.child, false);
  current.idle = setTimeout(() => current.worker.drain(), IDLE_MS);
  current.idle.unref();
}

function setRef(child: ChildProcess, ref: boolean): void {
  const channel = child.channel as { ref(): void; unref(): void } | null | undefined;
  if (ref) {
    child.ref();
    channel?.ref();
  } else {
    child.unref();
    channel?.unref();
  }
}
