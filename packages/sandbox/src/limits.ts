import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { SandboxLimits } from "./types.js";

/** Safe defaults: small enough that one hostile run cannot starve the host, large enough for real work. */
export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = Object.freeze({
  timeoutMs: 5_000,
  memoryMb: 64,
  maxLogBytes: 256 * 1024,
  maxResultBytes: 1024 * 1024,
  maxResultDepth: 64,
  maxHostCalls: 10_000,
});

/** Merges layers of partial limits over the defaults; every value must be a positive integer. */
export function resolveLimits(...layers: (Partial<SandboxLimits> | undefined)[]): SandboxLimits {
  const limits: SandboxLimits = { ...DEFAULT_SANDBOX_LIMITS };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) {
      if (!(key in limits) || value === undefined) continue;
      if (!Number.isSafeInteger(value) || (value as number) <= 0) {
        throw new AgentrtError(ErrorCode.BAD_REQUEST, `sandbox limit ${key} must be a positive integer`, {
          issues: [{ path: ["limits", key], message: "must be a positive integer" }],
        });
      }
      limits[key as keyof SandboxLimits] = value as number;
    }
  }
  return limits;
}
