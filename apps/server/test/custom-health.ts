import { readdirSync, readFileSync } from "node:fs";

/** What a child process of this (the test and API server) process is, told apart by its command line. */
export type ChildRole = "js-worker" | "py-worker" | "py-checker" | "esbuild" | "other";

export interface ChildInfo {
  pid: number;
  role: ChildRole;
  /** `Z` for a zombie: exited but never reaped by its parent. */
  state: string;
  /** CPU time used so far, in clock ticks (user + system). */
  cpuTicks: number;
}

function roleOf(cmdline: string): ChildRole {
  // The Python syntax checker of compileUserCode runs the same child script as pool workers.
  if (cmdline.includes("py-child") && cmdline.includes("--role=checker")) return "py-checker";
  if (cmdline.includes("py-child")) return "py-worker";
  if (cmdline.includes("js-child")) return "js-worker";
  if (cmdline.includes("esbuild")) return "esbuild";
  return "other";
}

/** Direct children of this process, read from /proc (the same list `ps -o pid= --ppid <pid>` gives). */
export function listChildren(): ChildInfo[] {
  const children: ChildInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after "(comm)": state, ppid, ... utime is field 14 and stime field 15 of the whole line.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      children.push({
        pid: Number(entry),
        role: roleOf(cmdline),
        state: fields[0]!,
        cpuTicks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

/** How many children of each role are alive (zombies are counted separately as `zombie`). */
export function countChildren(): Record<ChildRole | "zombie", number> {
  const counts = { "js-worker": 0, "py-worker": 0, "py-checker": 0, esbuild: 0, other: 0, zombie: 0 };
  for (const child of listChildren()) counts[child.state === "Z" ? "zombie" : child.role]++;
  return counts;
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface LoopReport {
  /** Turns of this process's event loop seen while watching. */
  turns: number;
}

/**
 * Counts turns of this process's event loop. The API server runs in this process, so a sandbox
 * that blocked it for good (synchronous work on a huge result, a stuck host callback) leaves the
 * count at 0. No time bound: how long a turn takes on a loaded machine is not this test's business.
 */
export function watchEventLoop(): { stop(): LoopReport } {
  let turns = 0;
  const timer = setInterval(() => {
    turns++;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return { turns };
    },
  };
}

/** Names of the own properties of the host's built-in prototypes, to prove user code never touched them. */
export function snapshotPrototypes(): Record<string, string[]> {
  const names = (target: object) => Reflect.ownKeys(target).map(String).sort();
  return {
    Object: names(Object.prototype),
    Array: names(Array.prototype),
    Function: names(Function.prototype),
    String: names(String.prototype),
    Promise: names(Promise.prototype),
    Error: names(Error.prototype),
    JSON: names(JSON),
  };
}
