import { readdirSync, readFileSync } from "node:fs";
import { expect } from "vitest";
import { type CompiledCode, compileUserCode, type SandboxLanguage } from "../src/index.js";

export function compile(
  language: SandboxLanguage,
  source: string,
  entryPoint = "main",
): Promise<CompiledCode> {
  return compileUserCode({ language, source, entryPoint });
}

export const js = (source: string) => compile("javascript", source);
export const py = (source: string) => compile("python", source);

export async function expectCode(
  promise: Promise<unknown>,
  code: string,
): Promise<Error & { details?: Record<string, unknown> }> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected ${code}, got result ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code });
  return error as Error & { details?: Record<string, unknown> };
}

/** Live sandbox children of this process, read from /proc (what the pool started and has not reaped). */
export function childPids(kind: "js-child" | "py-child" | "child" = "child"): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const isChecker = cmdline.includes("--role=checker"); // compileUserCode's shared syntax checker
      if (Number(fields[1]) === process.pid && fields[0] !== "Z" && cmdline.includes(kind) && !isChecker) {
        pids.push(Number(entry));
      }
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
