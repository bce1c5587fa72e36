import { createRequire } from "node:module";
import { CORE_API_VERSION } from "@agentrt/core";
import semver from "semver";
import { UsageError } from "../exit-codes.js";

const require = createRequire(import.meta.url);
const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

/** Dependency ranges written into a new template package. */
export interface ScaffoldVersions {
  /** `@agentrt/core` (peer and dev dependency). */
  core: string;
  /** `@agentrt/testing` (dev dependency). */
  testing: string;
  /** The template's `agentrt.coreApi`: the contract versions it supports. */
  coreApi: string;
}

/** Tooling the generated package builds and tests with (the versions agentrt itself uses). */
export const TOOL_VERSIONS = {
  zod: "^4.1.12",
  tsup: "^9.0.0",
  typescript: "~5.9.3",
  vitest: "^4.1.10",
  "@types/node": "^24.10.0",
} as const;

/**
 * The contract the generated code is written against: every minor of this core's major. A core
 * package's major is its contract's major, so the same range is the `@agentrt/core` peer dependency.
 */
export function scaffoldCoreApi(): string {
  return `^${semver.major(CORE_API_VERSION)}.0.0`;
}

/**
 * `coreApi` and `@agentrt/core` get `^<major>.0.0` of this core's contract, `@agentrt/testing` the
 * running one's `^version`; `coreVersion` (`--core-version`) replaces both dependency ranges, and
 * must then admit this contract major when it is a semver range (the generated code needs it).
 */
export function scaffoldVersions(coreVersion?: string): ScaffoldVersions {
  const coreApi = scaffoldCoreApi();
  if (
    coreVersion !== undefined &&
    semver.validRange(coreVersion) &&
    !semver.intersects(coreVersion, coreApi)
  ) {
    throw new UsageError(
      `--core-version ${coreVersion} excludes @agentrt/core ${coreApi}, the contract the generated template is written for`,
    );
  }
  return {
    core: coreVersion ?? coreApi,
    testing: coreVersion ?? `^${versionOf("@agentrt/testing")}`,
    coreApi,
  };
}
