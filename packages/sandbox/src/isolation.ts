import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/** How sandbox children are cut off from the network: a command prefix, or none with the reason. */
export interface NetworkIsolation {
  prefix: string[];
  description: string;
}

let detected: NetworkIsolation | undefined;

/**
 * Detects `unshare --net` (new network namespace: the child sees only a down loopback) once per process.
 * Tries the privileged form, then the unprivileged user-namespace form; falls back to no prefix.
 */
export function detectNetworkIsolation(): NetworkIsolation {
  if (detected) return detected;
  const unshare = findExecutable("unshare");
  if (!unshare) {
    detected = { prefix: [], description: "unshare not found: sandbox children keep host networking" };
    return detected;
  }
  for (const flags of [["--net"], ["--user", "--map-root-user", "--net"]]) {
    const probe = spawnSync(unshare, [...flags, "true"], { stdio: "ignore", timeout: 5_000 });
    if (probe.status === 0) {
      detected = {
        prefix: [unshare, ...flags],
        description: `network namespace via ${unshare} ${flags.join(" ")}`,
      };
      return detected;
    }
  }
  detected = {
    prefix: [],
    description: "unshare --net is not permitted: sandbox children keep host networking",
  };
  return detected;
}

function findExecutable(name: string): string | undefined {
  const dirs = (process.env.PATH ?? "").split(delimiter).concat(["/usr/bin", "/bin", "/usr/sbin", "/sbin"]);
  return dirs.map((dir) => join(dir, name)).find((file) => existsSync(file));
}
