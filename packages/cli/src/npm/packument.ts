import { AgentrtError, ErrorCode } from "@agentrt/core";
import semver from "semver";
import { escapePackageName } from "./package-spec.js";

/** The parts of a version's manifest in the registry that decide whether it is a usable template. */
export interface RegistryManifest {
  name: string;
  version: string;
  keywords?: unknown;
  agentrt?: { template?: unknown; coreApi?: unknown };
  peerDependencies?: Record<string, string>;
}

export interface Packument {
  name: string;
  "dist-tags": Record<string, string>;
  versions: Record<string, RegistryManifest>;
}

/**
 * GET `<registry>/<name>`: the full document, not the abbreviated install metadata, which leaves
 * out `keywords` and the `agentrt` field.
 */
export async function fetchPackument(
  registry: string,
  name: string,
  authorization?: string,
): Promise<Packument> {
  const url = `${registry}${escapePackageName(name)}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json", ...(authorization ? { authorization } : {}) },
    });
  } catch (error) {
    throw new AgentrtError(
      ErrorCode.UPSTREAM_ERROR,
      `cannot reach the registry at ${registry}: ${(error as Error).message}`,
    );
  }
  if (response.status === 401 || response.status === 403) {
    throw new AgentrtError(
      ErrorCode.UPSTREAM_ERROR,
      `the registry ${registry} refused to show ${name} (${response.status}): ${
        authorization
          ? "the token in .npmrc for it is not accepted"
          : `add its token to .npmrc: //${new URL(registry).host}${new URL(registry).pathname}:_authToken=<token>`
      }`,
    );
  }
  if (response.status === 404) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_NOT_FOUND,
      `package ${name} is not in the registry ${registry}`,
    );
  }
  if (!response.ok) {
    throw new AgentrtError(
      ErrorCode.UPSTREAM_ERROR,
      `GET ${url} answered ${response.status} ${response.statusText}`,
    );
  }
  return (await response.json()) as Packument;
}

/**
 * The version npm would install for a range or dist-tag: the tagged version when it matches,
 * else the highest matching one.
 */
export function pickVersion(packument: Packument, range = "latest"): RegistryManifest {
  const tags = packument["dist-tags"] ?? {};
  const tagged = tags[range];
  if (tagged && packument.versions[tagged]) return packument.versions[tagged];
  if (semver.validRange(range) === null) {
    throw new AgentrtError(
      ErrorCode.BAD_REQUEST,
      `"${range}" is neither a dist-tag of ${packument.name} nor a semver range`,
    );
  }
  const latest = tags.latest;
  const version =
    latest && semver.satisfies(latest, range)
      ? latest
      : semver.maxSatisfying(Object.keys(packument.versions), range);
  const manifest = version ? packument.versions[version] : undefined;
  if (!manifest) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_VERSION_NOT_FOUND,
      `${packument.name} has no version matching ${range} (published: ${Object.keys(packument.versions).join(", ") || "none"})`,
    );
  }
  return manifest;
}
