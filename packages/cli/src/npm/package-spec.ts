import { UsageError } from "../exit-codes.js";

export interface PackageSpec {
  /** The package in the registry (for an alias, the aliased one). */
  name: string;
  /** A semver range or a dist-tag; undefined means the `latest` tag. */
  range: string | undefined;
  /** `task-v1` of `task-v1@npm:@agentrt/template-task@^1`: the name it is installed under. */
  alias?: string;
}

const NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/**
 * `name`, `name@^1`, `@scope/name@latest` → name and range; an npm alias
 * `alias@npm:name@range` (two majors side by side) → the aliased package, its range and the alias.
 */
export function parsePackageSpec(spec: string): PackageSpec {
  const alias = /^((?:@[^/@]+\/)?[^/@]+)@npm:(.+)$/.exec(spec);
  if (alias) {
    const target = parsePackageSpec(alias[2]!);
    if (!NAME.test(alias[1]!) || target.alias !== undefined) {
      throw new UsageError(`"${spec}" is not an npm alias like name-v1@npm:package@^1`);
    }
    return { ...target, alias: alias[1]! };
  }
  const at = spec.indexOf("@", 1);
  const name = at === -1 ? spec : spec.slice(0, at);
  const range = at === -1 ? undefined : spec.slice(at + 1) || undefined;
  if (!NAME.test(name))
    throw new UsageError(`"${spec}" is not a package name like name, name@^1 or @scope/name`);
  return { name, range };
}

/** What the package manager installs: `name@version`, or `alias@npm:name@version`. */
export function installSpec(spec: PackageSpec, version: string): string {
  return spec.alias ? `${spec.alias}@npm:${spec.name}@${version}` : `${spec.name}@${version}`;
}

/** How the npm client puts a name into a registry URL: `@scope%2fname`. */
export function escapePackageName(name: string): string {
  return name.replace("/", "%2f");
}
