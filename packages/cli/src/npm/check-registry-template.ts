import { AgentrtError, CORE_API_VERSION, checkCoreApi, ErrorCode, TEMPLATE_KEYWORD } from "@agentrt/core";
import type { RegistryManifest } from "./packument.js";

/**
 * The same metadata rules discovery applies to an installed package, applied to the registry's copy
 * of its package.json: a template (keyword or `agentrt` field) with an entry, whose `coreApi` range
 * this core satisfies. Throws TEMPLATE_INVALID or TEMPLATE_INCOMPATIBLE.
 */
export function checkRegistryTemplate(manifest: RegistryManifest, coreApiVersion = CORE_API_VERSION): void {
  const id = `${manifest.name}@${manifest.version}`;
  const tagged = Array.isArray(manifest.keywords) && manifest.keywords.includes(TEMPLATE_KEYWORD);
  const agentrt =
    typeof manifest.agentrt === "object" && manifest.agentrt !== null ? manifest.agentrt : undefined;
  if (!tagged && !agentrt) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id} is not an agentrt template: its package.json has neither the "${TEMPLATE_KEYWORD}" keyword nor an "agentrt" field`,
    );
  }
  if (typeof agentrt?.template !== "string") {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id} is tagged as a template but lacks "agentrt.template"`,
    );
  }
  checkCoreApi(id, agentrt.coreApi, coreApiVersion);
}
