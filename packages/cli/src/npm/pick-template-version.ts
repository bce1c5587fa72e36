import { AgentrtError, ErrorCode, isAgentrtError, type TemplateManifest } from "@agentrt/core";
import semver from "semver";
import { checkRegistryTemplate } from "./check-registry-template.js";
import { type Packument, pickVersion } from "./packument.js";

export interface TemplateChoice {
  template: TemplateManifest;
  /** The version npm would have picked, when it was passed over for being incompatible. */
  passedOver?: { version: string; reason: string };
}

const isRefusal = (error: unknown) =>
  isAgentrtError(error) &&
  (error.code === ErrorCode.TEMPLATE_INCOMPATIBLE || error.code === ErrorCode.TEMPLATE_INVALID);

/**
 * The version to install: the one npm would pick for the range when this core API supports it,
 * else the highest version in the range that it supports. A dist-tag names one version: no other.
 */
export function pickTemplateVersion(
  packument: Packument,
  range: string | undefined,
  coreApiVersion: string,
): TemplateChoice {
  const preferred = pickVersion(packument, range);
  try {
    return { template: checkRegistryTemplate(preferred, coreApiVersion) };
  } catch (error) {
    const isTag = range !== undefined && packument["dist-tags"]?.[range] !== undefined;
    if (!isAgentrtError(error) || error.code !== ErrorCode.TEMPLATE_INCOMPATIBLE || isTag) throw error;
    const candidates = Object.keys(packument.versions)
      .filter((v) => v !== preferred.version && semver.satisfies(v, range ?? "*"))
      .sort(semver.rcompare);
    for (const version of candidates) {
      try {
        const template = checkRegistryTemplate(packument.versions[version]!, coreApiVersion);
        return { template, passedOver: { version: preferred.version, reason: error.message } };
      } catch (older) {
        if (!isRefusal(older)) throw older;
      }
    }
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INCOMPATIBLE,
      `${error.message}, and no other version${range ? ` matching ${range}` : ""} supports it`,
    );
  }
}
