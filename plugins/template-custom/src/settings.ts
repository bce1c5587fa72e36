import { AgentrtError, ErrorCode } from "@agentrt/core";
import { z } from "zod";

const positiveInt = z.number().int().positive();

/**
 * Entries of an egress allow-list: host names, IP addresses or CIDR ranges. Their syntax is checked
 * by `checkEgressSettings` where the policy is used: the entry module must not load `@agentrt/egress`.
 */
const egressAllowList = z.array(z.string().min(1)).default([]);

/** Operator overrides of the sandbox's per-run limits (`SandboxLimits` of @agentrt/sandbox). */
export const SandboxLimitsSettingsSchema = z
  .object({
    timeoutMs: positiveInt,
    memoryMb: positiveInt,
    maxLogBytes: positiveInt,
    maxResultBytes: positiveInt,
    maxResultDepth: positiveInt,
    maxHostCalls: positiveInt,
  })
  .partial();

/**
 * Operator settings for the custom template (`ctx.settings`, from the server configuration). Users
 * never set these: they decide what user code may read, fetch and import, and how hard it is capped.
 */
export const CustomSettingsSchema = z.object({
  /** Directory that `type: "file"` paths are resolved in; file sources are disabled without it. */
  codeRoot: z.string().min(1).optional(),
  /** Host names `type: "url"` may fetch from; `*.example.com` matches any subdomain. Empty: none. */
  urlAllowList: z.array(z.string().min(1)).default([]),
  /**
   * Internal destinations `url` sources may come from: host names, IP addresses or CIDR ranges.
   * Every other loopback/private/link-local … address is refused.
   */
  urlAllowInternal: egressAllowList,
  /** Lets `url` sources resolve to any internal address (trusted networks only; prefer `urlAllowInternal`). */
  allowPrivateAddresses: z.boolean().default(false),
  /** Extra PEM certificate authorities trusted when fetching `url` sources (private code hosts). */
  urlCa: z.string().min(1).optional(),
  /** Largest source accepted from a file or URL, in bytes. */
  maxCodeBytes: positiveInt.default(1024 * 1024),
  /** Wall-time cap for fetching a `url` source, all redirects included. */
  fetchTimeoutMs: positiveInt.default(10_000),
  /** Package names user code may list in `dependencies`. */
  allowedDependencies: z.array(z.string().min(1)).default([]),
  /** Directory the allowed JS/TS dependencies are installed in (its `node_modules` is searched when bundling). */
  dependencyDir: z.string().min(1).optional(),
  /** Directory of pure-Python packages (`pip install --target <dir>`) that Python agents may declare. */
  pythonDependencyDir: z.string().min(1).optional(),
  /** Per-run sandbox limits; `timeoutMs` also caps the agent's own `timeout`. */
  limits: SandboxLimitsSettingsSchema.default({}),
  /** Hosts that sandboxed code may reach through the host-provided `fetch`; empty disables it. */
  fetchAllowList: z.array(z.string().min(1)).default([]),
  /**
   * Internal destinations `ctx.fetch` may reach (host names, IP addresses or CIDR ranges), for
   * hosts of `fetchAllowList` that resolve inside; IP entries of `fetchAllowList` count already.
   */
  fetchAllowInternal: egressAllowList,
  /** Sandbox pool sizing and recycling (see `SandboxPoolOptions` of @agentrt/sandbox). */
  jsWorkers: positiveInt.optional(),
  pythonWorkers: positiveInt.optional(),
  maxRunsPerWorker: positiveInt.optional(),
  maxWorkerRssMb: positiveInt.optional(),
});

export type CustomSettings = z.output<typeof CustomSettingsSchema>;

/** Parses operator settings; a bad setting is the operator's error, never the agent author's. */
export function parseCustomSettings(raw: unknown): CustomSettings {
  const parsed = CustomSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new AgentrtError(
      ErrorCode.INTERNAL,
      `invalid settings for template "custom": ${parsed.error.message}`,
      {
        issues: parsed.error.issues.map((issue) => ({
          path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
          message: issue.message,
        })),
      },
    );
  }
  return parsed.data;
}
