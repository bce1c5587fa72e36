import semver from "semver";
import { AgentrtError, ErrorCode } from "./errors.js";
import { CORE_API_VERSION } from "./version.js";

/** The npm keyword that marks a template package. */
export const TEMPLATE_KEYWORD = "agentrt-template";

/** A template package's manifest as it declares itself: package name, version, entry and core range. */
export interface TemplateManifest {
  packageName: string;
  packageVersion: string;
  /** The entry module, relative to the package directory (`agentrt.template`). */
  entry: string;
  coreApi: string;
}

/** The fields of a package.json the template rules read. */
export interface PackageManifest {
  name?: unknown;
  version?: unknown;
  keywords?: unknown;
  agentrt?: unknown;
}

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

/** True when the package says it is a template: the keyword or an `agentrt` field. */
export function isTemplatePackage(manifest: PackageManifest): boolean {
  return (
    (Array.isArray(manifest.keywords) && manifest.keywords.includes(TEMPLATE_KEYWORD)) ||
    (typeof manifest.agentrt === "object" && manifest.agentrt !== null)
  );
}

/**
 * The one template-manifest rule, shared by discovery (installed packages), the CLI and the catalog
 * (registry copies): `undefined` for a package that is no template; otherwise its manifest, or
 * TEMPLATE_INVALID (name, version or `agentrt.template` missing) / TEMPLATE_INCOMPATIBLE (`coreApi`).
 */
export function parseTemplateManifest(
  manifest: PackageManifest,
  coreVersion: string = CORE_API_VERSION,
): TemplateManifest | undefined {
  if (!isTemplatePackage(manifest)) return undefined;
  const id = `${String(manifest.name)}@${String(manifest.version)}`;
  const agentrt = (manifest.agentrt ?? {}) as { template?: unknown; coreApi?: unknown };
  if (typeof manifest.name !== "string" || typeof manifest.version !== "string") {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id} is a template package without a name or version`,
    );
  }
  if (semver.valid(manifest.version) === null) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id}: version ${manifest.version} is not valid semver`,
    );
  }
  if (typeof agentrt.template !== "string") {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id} is tagged "${TEMPLATE_KEYWORD}" but its package.json lacks "agentrt.template" (the entry module)`,
    );
  }
  checkCoreApi(id, agentrt.coreApi, coreVersion);
  return {
    packageName: manifest.name,
    packageVersion: manifest.version,
    entry: agentrt.template,
    coreApi: agentrt.coreApi as string,
  };
}
