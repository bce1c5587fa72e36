import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { CORE_API_VERSION } from "@agentrt/core";
import semver from "semver";
import { UsageError } from "../exit-codes.js";

const require = createRequire(import.meta.url);
const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

/** Dependency ranges written into a new template package. */
export interface ScaffoldVersions {
  /** `@agentrt/core` as a dev dependency. */
  core: string;
  /** `@agentrt/core` as the peer dependency (what hosts must have). */
  corePeer: string;
  /** `@agentrt/testing` (dev dependency). */
  testing: string;
  /** `@agentrt/cli` (dev dependency: `agentrt dev`, `agentrt templates validate`). */
  cli: string;
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
  publint: "^0.3.25",
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
    corePeer: coreVersion ?? coreApi,
    testing: coreVersion ?? `^${versionOf("@agentrt/testing")}`,
    cli: `^${versionOf("@agentrt/cli")}`,
    coreApi,
  };
}

/** The checkout packages link mode points at, by package name. */
const LINKED = { core: "packages/core", testing: "packages/testing", cli: "packages/cli" } as const;

/**
 * Link mode (`--agentrt <checkout>`): the @agentrt/* dev dependencies are `file:` paths into a local
 * agentrt checkout, which npm links instead of fetching, so the template builds and tests against
 * that checkout with no registry. The peer range stays the contract range, for publishing.
 */
export function linkedVersions(checkout: string, cwd: string): ScaffoldVersions {
  const root = resolve(cwd, checkout);
  const paths = Object.fromEntries(
    Object.entries(LINKED).map(([key, dir]) => {
      const packageDir = join(root, dir);
      const manifest = join(packageDir, "package.json");
      const name = existsSync(manifest)
        ? (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name
        : undefined;
      if (name !== `@agentrt/${key}`) {
        throw new UsageError(
          `--agentrt ${checkout}: ${root} is not an agentrt checkout (no ${dir}/package.json)`,
        );
      }
      if (!existsSync(join(packageDir, "dist"))) {
        throw new UsageError(
          `--agentrt ${checkout}: ${dir} is not built; run \`npx -y pnpm@10.34.9 install && npx -y pnpm@10.34.9 build\` in ${root}`,
        );
      }
      return [key, `file:${packageDir}`];
    }),
  ) as Record<keyof typeof LINKED, string>;
  const coreApi = scaffoldCoreApi();
  return { ...paths, corePeer: coreApi, coreApi };
}
