import semver from "semver";
import { AgentrtError, ErrorCode } from "./errors.js";
import { CORE_API_VERSION } from "./version.js";

/**
 * Checks a template's declared `coreApi` range against this core, before anything is imported.
 * Like fastify-plugin's `checkVersion`: one coded error that names the template, its range and
 * the version we have. Pre-releases of core count, so release candidates can load templates.
 */
export function checkCoreApi(
  templateId: string,
  range: unknown,
  coreVersion: string = CORE_API_VERSION,
): void {
  if (typeof range !== "string" || semver.validRange(range) === null) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${templateId} declares coreApi ${JSON.stringify(range)}, which is not a valid semver range`,
    );
  }
  if (!semver.satisfies(coreVersion, range, { includePrerelease: true })) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INCOMPATIBLE,
      `${templateId} requires @agentrt/core API ${range}, but this server provides ${coreVersion}`,
      { details: { expected: range, actual: coreVersion } },
    );
  }
}
