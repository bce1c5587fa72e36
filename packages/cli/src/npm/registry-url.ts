import { join } from "node:path";
import { projectNpmrc, readNpmrc } from "./npmrc.js";

export const DEFAULT_REGISTRY = "https://registry.npmjs.org/";

export interface RegistryOptions {
  packageName: string;
  /** `--registry`. */
  flag?: string | undefined;
  env: Record<string, string | undefined>;
  /** The host app directory (its project .npmrc applies). */
  dir: string;
}

const withSlash = (url: string) => (url.endsWith("/") ? url : `${url}/`);

/**
 * The registry the package manager would use, in npm's order: the flag, a scoped registry for
 * `@scope/` names, `npm_config_registry`, the project .npmrc, the user .npmrc, the public registry.
 */
export function resolveRegistry(options: RegistryOptions): string {
  const { env } = options;
  if (options.flag) return withSlash(options.flag);
  const home = env.HOME ?? env.USERPROFILE;
  const configs = [
    readNpmrc(projectNpmrc(options.dir), env),
    ...(home ? [readNpmrc(join(home, ".npmrc"), env)] : []),
  ];
  const scope = options.packageName.startsWith("@") ? options.packageName.split("/")[0] : undefined;
  const lookup = (key: string) =>
    env[`npm_config_${key}`] ?? env[`NPM_CONFIG_${key.toUpperCase()}`] ?? configs.find((c) => c[key])?.[key];
  const url = (scope && lookup(`${scope}:registry`)) || lookup("registry") || DEFAULT_REGISTRY;
  return withSlash(url);
}
