import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import { UsageError } from "../exit-codes.js";

export const PACKAGE_MANAGERS = ["pnpm", "npm", "yarn"] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

const LOCKFILES: [string, PackageManager][] = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
];

export function parsePackageManager(value: string): PackageManager {
  if ((PACKAGE_MANAGERS as readonly string[]).includes(value)) return value as PackageManager;
  throw new UsageError(`--pm must be one of ${PACKAGE_MANAGERS.join(", ")}, not "${value}"`);
}

function declaredPackageManager(dir: string): PackageManager | undefined {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return undefined;
  const declared = (JSON.parse(readFileSync(file, "utf8")) as { packageManager?: unknown }).packageManager;
  const name = typeof declared === "string" ? declared.split("@")[0] : undefined;
  return PACKAGE_MANAGERS.find((pm) => pm === name);
}

/** The nearest lockfile at or above `dir` decides (workspaces keep it at the root), then `packageManager`, then npm. */
export function detectPackageManager(dir: string): PackageManager {
  for (let current = dir; ; current = dirname(current)) {
    const found = LOCKFILES.find(([file]) => existsSync(join(current, file)));
    if (found) return found[1];
    if (dirname(current) === current) break;
  }
  return declaredPackageManager(dir) ?? "npm";
}

/** The command that adds `spec` as a dependency of the package in the working directory. */
export function installArgs(pm: PackageManager, spec: string, registry?: string): string[] {
  const args = pm === "npm" ? ["install", spec] : ["add", spec];
  return registry ? [...args, "--registry", registry] : args;
}

export interface InstallOptions {
  pm: PackageManager;
  spec: string;
  dir: string;
  registry?: string | undefined;
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs the package manager in `dir`, forwarding its output; fails with its exit code. */
export function runInstall(options: InstallOptions): Promise<void> {
  const args = installArgs(options.pm, options.spec, options.registry);
  return new Promise((resolve, reject) => {
    const child = spawn(options.pm, args, {
      cwd: options.dir,
      env: options.env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => options.stdout(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => options.stderr(chunk.toString()));
    child.once("error", (error) =>
      reject(
        new AgentrtError(
          ErrorCode.INTERNAL,
          `cannot run ${options.pm}: ${error.message} (is it on PATH? try --pm)`,
        ),
      ),
    );
    child.once("close", (code) => {
      if (code === 0) resolve();
      else
        reject(
          new AgentrtError(
            ErrorCode.INTERNAL,
            `${options.pm} ${args.join(" ")} failed with exit code ${code}`,
          ),
        );
    });
  });
}
