import { createRequire } from "node:module";
import { CORE_API_VERSION } from "@agentrt/core";

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

/** Ranges of the running agentrt packages, or `coreVersion` for both when given (`--core-version`). */
export function scaffoldVersions(coreVersion?: string): ScaffoldVersions {
  return {
    core: coreVersion ?? `^${versionOf("@agentrt/core")}`,
    testing: coreVersion ?? `^${versionOf("@agentrt/testing")}`,
    coreApi: `^${CORE_API_VERSION}`,
  };
}
