import {
  AgentrtError,
  ErrorCode,
  type FieldIssue,
  type TemplateContext,
  type ValidateContext,
} from "@agentrt/core";
import { toConfigIssues } from "./code-error.js";
import { compileCode } from "./compile-code.js";
import type { CustomConfig, ResolvedCode, StoredCustomConfig } from "./config-schema.js";
import { checkEgressSettings } from "./egress-settings.js";
import { loadSource } from "./load-source.js";
import { parseCustomSettings } from "./settings.js";

/**
 * Code loaded by `validateConfig`, kept for `resolveConfig` on the same config object so a URL is
 * fetched once per create/update and the stored bytes are the ones that were compiled (the host hands
 * both hooks the same parsed config).
 */
const loadedByConfig = new WeakMap<object, ResolvedCode>();

/**
 * The template's `validate` hook: loads the code (file or URL, with every path/SSRF rule), then
 * compiles it, so syntax errors, a missing entry point and disallowed dependencies are config
 * issues at create/update time, never run failures. Issue messages start with the specific code.
 */
export async function validateConfig(config: CustomConfig, ctx: ValidateContext): Promise<FieldIssue[]> {
  const settings = parseCustomSettings(ctx.settings);
  checkEgressSettings(settings);
  try {
    let source = config.content;
    if (config.type !== "inline") {
      const resolved = await loadSource(config, settings);
      loadedByConfig.set(config, resolved);
      source = resolved.source;
    }
    await compileCode(config, source, settings);
    return [];
  } catch (error) {
    return toConfigIssues(error);
  }
}

/**
 * The template's `resolveConfig` hook (the host runs it after `validate`; its result is what gets
 * stored): pins the code of a `file`/`url` agent with its sha256 in `resolved`, so every run of this
 * revision runs the same bytes. A caller that skipped `validate` gets the code loaded here; loading
 * errors throw `CONFIG_INVALID`.
 */
export async function resolveConfig(config: CustomConfig, ctx: TemplateContext): Promise<StoredCustomConfig> {
  if (config.type === "inline") return config;
  let resolved = loadedByConfig.get(config);
  if (!resolved) {
    try {
      const settings = parseCustomSettings(ctx.settings);
      checkEgressSettings(settings);
      resolved = await loadSource(config, settings);
    } catch (error) {
      const issues = toConfigIssues(error);
      throw new AgentrtError(ErrorCode.CONFIG_INVALID, `config rejected by custom: ${issues[0]!.message}`, {
        issues,
      });
    }
  }
  return { ...config, resolved };
}
