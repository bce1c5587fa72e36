import { type AgentInstance, AgentrtError, ErrorCode, type TemplateContext } from "@agentrt/core";
import { compileCode } from "./compile-code.js";
import { ResolvedCodeSchema, type StoredCustomConfig } from "./config-schema.js";
import { checkEgressSettings } from "./egress-settings.js";
import { sha256Hex } from "./load-source.js";
import { runInSandbox } from "./run-in-sandbox.js";
import { acquireSandboxPool } from "./sandbox-pool.js";
import { parseCustomSettings } from "./settings.js";

function storedCodeError(message: string): AgentrtError {
  return new AgentrtError(ErrorCode.CONFIG_INVALID, message, { issues: [{ path: ["resolved"], message }] });
}

/**
 * The code to run: inline content, or the copy `resolveConfig` stored with the revision (checked
 * against its hash). A file/URL is never read here, so a revision always runs the bytes it pinned.
 */
function sourceOf(config: StoredCustomConfig): string {
  if (config.type === "inline") return config.content;
  const resolved = ResolvedCodeSchema.safeParse(config.resolved);
  if (!resolved.success) {
    throw storedCodeError(
      `this ${config.type} agent has no stored code (its config did not pass through resolveConfig); update the agent to load it`,
    );
  }
  if (sha256Hex(resolved.data.source) !== resolved.data.sha256) {
    throw storedCodeError("the stored code does not match its sha256");
  }
  return resolved.data.source;
}

/**
 * Builds a custom agent instance: compiles the code once, then every run executes it in the shared
 * sandbox pool with the agent's timeout (capped by the operator's `limits.timeoutMs`).
 */
export async function createCustomInstance(
  config: StoredCustomConfig,
  ctx: TemplateContext,
): Promise<AgentInstance> {
  const settings = parseCustomSettings(ctx.settings);
  checkEgressSettings(settings);
  const compiled = await compileCode(config, sourceOf(config), settings);
  const limits = {
    ...settings.limits,
    timeoutMs: Math.min(config.timeout * 1000, settings.limits.timeoutMs ?? Number.POSITIVE_INFINITY),
  };
  const lease = acquireSandboxPool(settings, ctx.logger);
  return {
    run: (input, runCtx) => runInSandbox(lease.pool, compiled, limits, input, runCtx),
    dispose: () => lease.release(),
  };
}
