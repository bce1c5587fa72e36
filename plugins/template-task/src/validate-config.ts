import type { FieldIssue, KeySource, TemplateContext } from "@agentrt/core";
import { createEgressPolicy, isEgressError } from "@agentrt/egress";
import { validateApiKeys } from "./api-key.js";
import type { TaskConfig } from "./config-schema.js";
import { parseTaskSettings } from "./settings.js";

/** Where a step names its target, when the target is fixed in the config (no `{{…}}`). */
function fixedTarget(config: TaskConfig, index: number): { field: string; url: string } | undefined {
  const step = config.steps[index]!;
  const target =
    step.kind === "http"
      ? { field: "url", url: step.url }
      : step.kind === "llm"
        ? { field: "baseUrl", url: step.baseUrl }
        : undefined;
  return target && !target.url.includes("{{") ? target : undefined;
}

/**
 * The `validate` hook: every `llm` step's key must resolve now, and a fixed http/llm target must not
 * be an internal IP literal the operator has not allowed (refused at its step, a 422).
 * Templated URLs and host names are checked when each request is made.
 */
export async function validateTaskConfig(
  config: TaskConfig,
  ctx: KeySource & Pick<TemplateContext, "settings">,
): Promise<FieldIssue[]> {
  const issues = await validateApiKeys(config, ctx);
  const egress = createEgressPolicy({ allow: parseTaskSettings(ctx.settings).allowInternal });
  try {
    for (const index of config.steps.keys()) {
      const target = fixedTarget(config, index);
      if (!target) continue;
      try {
        egress.checkUrl(target.url);
      } catch (error) {
        if (!isEgressError(error)) throw error;
        // Unparseable URLs and other schemes stay the step's own failure when it runs.
        if (error.reason !== "address") continue;
        issues.push({
          path: ["steps", index, target.field],
          message: `refused by the egress policy (${error.reason}): ${error.message}`,
        });
      }
    }
  } finally {
    egress.close();
  }
  return issues;
}
