import { UsageError } from "../exit-codes.js";

export interface PackageSpec {
  name: string;
  /** A semver range or a dist-tag; undefined means the `latest` tag. */
  range: string | undefined;
}

const NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** `name`, `name@^1`, `@scope/name@latest` → name and range. */
export function parsePackageSpec(spec: string): PackageSpec {
  const at = spec.indexOf("@", 1);
  const name = at === -1 ? spec : spec.slice(0, at);
  const range = at === -1 ? undefined : spec.slice(at + 1) || undefined;
  if (!NAME.test(name))
    throw new UsageError(`"${spec}" is not a package name like name, name@^1 or @scope/name`);
  return { name, range };
}

/** How the npm client puts a name into a registry URL: `@scope%2fname`. */
export function escapePackageName(name: string): string {
  return name.replace("/", "%2f");
}
