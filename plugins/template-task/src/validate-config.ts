import type { AgentDirectory, FieldIssue, KeySource, TemplateContext } from "@agentrt/core";
import { createEgressPolicy, type EgressPolicy, fixedOrigin, isEgressError } from "@agentrt/egress";
import { validateApiKeys } from "./api-key.js";
import type { TaskConfig } from "./config-schema.js";
import { parseTaskSettings } from "./settings.js";

type ValidateTaskContext = KeySource &
  Pick<TemplateContext, "settings"> & { services: { readonly agents?: AgentDirectory | undefined } };

/** A value written in the config itself, not rendered from run input or earlier steps. */
const isLiteral = (text: string) => !text.includes("{{");

/**
 * Where a step names its target, when the target's origin is fixed in the config (an http step's
 * placeholders in the path and query cannot change it).
 */
function fixedTarget(config: TaskConfig, index: number): { field: string; url: string } | undefined {
  const step = config.steps[index]!;
  if (step.kind === "llm") return { field: "baseUrl", url: step.baseUrl };
  if (step.kind !== "http") return undefined;
  const url = isLiteral(step.url) ? step.url : fixedOrigin(step.url);
  return url === undefined ? undefined : { field: "url", url };
}

/** Refusals of a fixed URL that hold whenever the step runs (a blocked port stays a run-time failure). */
const STATIC_REFUSALS = new Set(["invalid", "scheme", "address"]);

/** A fixed target that can never be fetched: not a URL, not http(s), or an internal address. */
function targetIssue(egress: EgressPolicy, config: TaskConfig, index: number): FieldIssue | undefined {
  const target = fixedTarget(config, index);
  if (!target) return undefined;
  try {
    egress.checkUrl(target.url);
    return undefined;
  } catch (error) {
    if (!isEgressError(error)) throw error;
    if (!STATIC_REFUSALS.has(error.reason)) return undefined;
    return {
      path: ["steps", index, target.field],
      message: `refused by the egress policy (${error.reason}): ${error.message}`,
    };
  }
}

/** An `agent` step whose fixed agent name the host does not know. */
async function agentIssue(
  config: TaskConfig,
  index: number,
  agents: AgentDirectory | undefined,
): Promise<FieldIssue | undefined> {
  const step = config.steps[index]!;
  if (step.kind !== "agent" || !agents || !isLiteral(step.agent)) return undefined;
  if (await agents.exists(step.agent)) return undefined;
  return { path: ["steps", index, "agent"], message: `no agent "${step.agent}" exists (create it first)` };
}

/**
 * The `validate` hook: every `llm` step's key must resolve now; a fixed http/llm target must be an
 * http(s) URL that is not an internal IP literal the operator has not allowed; a fixed `agent`
 * step's agent must exist. Each refusal is at its step, a 422. Templated URLs and agent names, and
 * host names, are checked when each request is made.
 */
export async function validateTaskConfig(
  config: TaskConfig,
  ctx: ValidateTaskContext,
): Promise<FieldIssue[]> {
  const issues = await validateApiKeys(config, ctx);
  const egress = createEgressPolicy({ allow: parseTaskSettings(ctx.settings).allowInternal });
  try {
    for (const index of config.steps.keys()) {
      for (const issue of [
        targetIssue(egress, config, index),
        await agentIssue(config, index, ctx.services.agents),
      ])
        if (issue) issues.push(issue);
    }
  } finally {
    egress.close();
  }
  return issues;
}
