import {
  AgentrtError,
  CORE_API_VERSION,
  ErrorCode,
  parseTemplateManifest,
  TEMPLATE_KEYWORD,
  type TemplateManifest,
} from "@agentrt/core";
import type { RegistryManifest } from "./packument.js";

/**
 * Core's template-manifest rule (`parseTemplateManifest`, the one discovery applies to installed
 * packages), applied to the registry's copy of a version's package.json. Returns the manifest of a
 * template whose `coreApi` range this core satisfies; throws TEMPLATE_INVALID (not a template, or
 * one without a name, semver version or entry) or TEMPLATE_INCOMPATIBLE.
 */
export function checkRegistryTemplate(
  manifest: RegistryManifest,
  coreApiVersion = CORE_API_VERSION,
): TemplateManifest {
  const parsed = parseTemplateManifest(manifest, coreApiVersion);
  if (!parsed) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${manifest.name}@${manifest.version} is not an agentrt template: its package.json has neither the "${TEMPLATE_KEYWORD}" keyword nor an "agentrt" field`,
    );
  }
  return parsed;
}
