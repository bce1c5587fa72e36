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

/** npm's settings lookup: `npm_config_*` environment variables, the project .npmrc, the user .npmrc. */
function npmConfig(
  env: Record<string, string | undefined>,
  dir: string,
): (key: string) => string | undefined {
  const home = env.HOME ?? env.USERPROFILE;
  const userconfig = env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG ?? (home && join(home, ".npmrc"));
  const configs = [readNpmrc(projectNpmrc(dir), env), ...(userconfig ? [readNpmrc(userconfig, env)] : [])];
  return (key) =>
    env[`npm_config_${key}`] ?? env[`NPM_CONFIG_${key.toUpperCase()}`] ?? configs.find((c) => c[key])?.[key];
}

/**
 * The registry the package manager would use, in npm's order: the flag, a scoped registry for
 * `@scope/` names, `npm_config_registry`, the project .npmrc, the user .npmrc (`npm_config_userconfig`
 * or ~/.npmrc), the public registry.
 */
export function resolveRegistry(options: RegistryOptions): string {
  if (options.flag) return withSlash(options.flag);
  const lookup = npmConfig(options.env, options.dir);
  const scope = options.packageName.startsWith("@") ? options.packageName.split("/")[0] : undefined;
  const url = (scope && lookup(`${scope}:registry`)) || lookup("registry") || DEFAULT_REGISTRY;
  return withSlash(url);
}

/**
 * The Authorization header npm would send to `registry`, from the .npmrc credentials keyed by the
 * registry's URL without its protocol (`//host:port/path/:_authToken`, also `_auth` and
 * `username` + `_password`), the longest matching path first, as npm matches them.
 */
export function registryAuthorization(
  registry: string,
  env: Record<string, string | undefined>,
  dir: string,
): string | undefined {
  const lookup = npmConfig(env, dir);
  const url = new URL(registry);
  const segments = url.pathname.split("/").filter(Boolean);
  for (let n = segments.length; n >= 0; n--) {
    const prefix = `//${url.host}/${segments
      .slice(0, n)
      .map((s) => `${s}/`)
      .join("")}`;
    const token = lookup(`${prefix}:_authToken`);
    if (token) return `Bearer ${token}`;
    const basic = lookup(`${prefix}:_auth`);
    if (basic) return `Basic ${basic}`;
    const username = lookup(`${prefix}:username`);
    const password = lookup(`${prefix}:_password`);
    if (username && password) {
      const decoded = Buffer.from(password, "base64").toString("utf8");
      return `Basic ${Buffer.from(`${username}:${decoded}`).toString("base64")}`;
    }
  }
  return undefined;
}
