import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { AgentrtError, ErrorCode } from "@agentrt/core";

/** A package directory given as a path, or a package name resolved from the host app like Node would. */
export function locatePackage(target: string, cwd: string, hostDir: string): string {
  const asPath = resolve(cwd, target);
  if (existsSync(join(asPath, "package.json"))) return asPath;
  const hostRequire = createRequire(join(hostDir, "package.json"));
  for (const base of hostRequire.resolve.paths(target) ?? []) {
    const dir = join(base, target);
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  throw new AgentrtError(
    ErrorCode.TEMPLATE_NOT_FOUND,
    `${target} is neither a package directory nor a package installed in ${hostDir}`,
  );
}
