import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { checkCoreApi } from "./compat.js";
import { AgentrtError, ErrorCode, isAgentrtError } from "./errors.js";
import { isTemplate, type Template } from "./template.js";
import { CORE_API_VERSION, TEMPLATE_SPEC_VERSION } from "./version.js";

export const TEMPLATE_KEYWORD = "agentrt-template";

export interface DiscoveryOptions {
  /** The host app whose package.json dependencies are scanned (Backstage-style). */
  hostDir: string;
  /** Extra directories: each is a template package, or a folder of template packages. */
  extraDirs?: string[];
  coreApiVersion?: string;
  /** Remembers manifest verdicts between start-ups (see `loadDiscoveryCache`). */
  cache?: ManifestCache;
}

/** What discovery concludes from one package's manifest alone, before any import. JSON-able. */
export type ManifestVerdict =
  | { kind: "other" }
  | { kind: "template"; manifest: TemplateManifest }
  | { kind: "rejected"; rejection: RejectedTemplate };

/** Where discovery gets a package's verdict when a cache is configured. */
export interface ManifestCache {
  /** The verdict for `packageDir`: remembered while its package.json is unchanged, else `check(text)`. */
  verdict(
    packageDir: string,
    coreApiVersion: string,
    check: (manifestText: string) => ManifestVerdict,
  ): ManifestVerdict;
}

/** A package that declares itself a template, read from its manifest only. */
export interface TemplateManifest {
  packageName: string;
  packageVersion: string;
  packageDir: string;
  /** Absolute path of the module that default-exports the template. */
  entry: string;
  coreApi: string;
}

export interface LoadedTemplate {
  template: Template;
  packageName: string;
  packageVersion: string;
  packageDir: string;
}

export interface RejectedTemplate {
  packageName: string;
  packageVersion: string | null;
  packageDir: string | null;
  code: ErrorCode;
  message: string;
}

export interface DiscoveryResult {
  loaded: LoadedTemplate[];
  rejected: RejectedTemplate[];
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
  keywords?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  agentrt?: { template?: unknown; coreApi?: unknown };
}

function readJson(file: string): PackageJson {
  return JSON.parse(readFileSync(file, "utf8")) as PackageJson;
}

/** Finds `<dep>/package.json` the way Node would from the host, without honouring `exports`. */
function locatePackageDir(hostRequire: NodeJS.Require, dep: string): string | undefined {
  for (const base of hostRequire.resolve.paths(dep) ?? []) {
    const dir = join(base, dep);
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  return undefined;
}

function hostDependencyDirs(hostDir: string): string[] {
  const manifestPath = join(hostDir, "package.json");
  if (!existsSync(manifestPath)) return [];
  const manifest = readJson(manifestPath);
  const names = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const hostRequire = createRequire(manifestPath);
  const dirs: string[] = [];
  for (const name of names) {
    const dir = locatePackageDir(hostRequire, name);
    if (dir) dirs.push(dir);
  }
  return dirs;
}

function extraPackageDirs(dir: string): string[] {
  if (existsSync(join(dir, "package.json"))) return [dir];
  if (!existsSync(dir)) return [];
  const dirs: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const child = join(dir, entry.name);
    if (entry.name.startsWith("@")) dirs.push(...extraPackageDirs(child).filter((d) => d !== child));
    else if (existsSync(join(child, "package.json"))) dirs.push(child);
  }
  return dirs;
}

function isTemplatePackage(manifest: PackageJson): boolean {
  return (
    (Array.isArray(manifest.keywords) && manifest.keywords.includes(TEMPLATE_KEYWORD)) ||
    (typeof manifest.agentrt === "object" && manifest.agentrt !== null)
  );
}

function rejection(dir: string, manifest: PackageJson | undefined, error: unknown): RejectedTemplate {
  const known = isAgentrtError(error);
  return {
    packageName: typeof manifest?.name === "string" ? manifest.name : dir,
    packageVersion: typeof manifest?.version === "string" ? manifest.version : null,
    packageDir: dir,
    code: known ? error.code : ErrorCode.TEMPLATE_INVALID,
    message: known
      ? error.message
      : `failed to load: ${error instanceof Error ? error.message : String(error)}`,
  };
}

/** Reads and checks one package's metadata. Returns undefined for packages that are not templates. */
export function readTemplateManifest(
  packageDir: string,
  coreApiVersion = CORE_API_VERSION,
): TemplateManifest | undefined {
  return checkTemplateManifest(packageDir, readJson(join(packageDir, "package.json")), coreApiVersion);
}

function checkTemplateManifest(
  packageDir: string,
  manifest: PackageJson,
  coreApiVersion: string,
): TemplateManifest | undefined {
  if (!isTemplatePackage(manifest)) return undefined;
  const id = `${String(manifest.name)}@${String(manifest.version)}`;
  const entry = manifest.agentrt?.template;
  if (
    typeof manifest.name !== "string" ||
    typeof manifest.version !== "string" ||
    typeof entry !== "string"
  ) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id} is tagged "${TEMPLATE_KEYWORD}" but its package.json lacks name, version or "agentrt.template"`,
    );
  }
  checkCoreApi(id, manifest.agentrt?.coreApi, coreApiVersion);
  return {
    packageName: manifest.name,
    packageVersion: manifest.version,
    packageDir,
    entry: resolve(packageDir, entry),
    coreApi: manifest.agentrt?.coreApi as string,
  };
}

/** The manifest-only verdict for one package, from the text of its package.json. Never throws. */
export function checkManifestText(packageDir: string, text: string, coreApiVersion: string): ManifestVerdict {
  let manifest: PackageJson | undefined;
  try {
    manifest = JSON.parse(text) as PackageJson;
    const checked = checkTemplateManifest(packageDir, manifest, coreApiVersion);
    return checked ? { kind: "template", manifest: checked } : { kind: "other" };
  } catch (error) {
    return { kind: "rejected", rejection: rejection(packageDir, manifest, error) };
  }
}

/** Imports a manifest's entry and checks that it exports a well-formed template that matches it. */
export async function loadTemplateModule(manifest: TemplateManifest): Promise<LoadedTemplate> {
  const id = `${manifest.packageName}@${manifest.packageVersion}`;
  let mod: { default?: unknown; template?: unknown };
  try {
    mod = (await import(pathToFileURL(manifest.entry).href)) as typeof mod;
  } catch (error) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id}: importing ${manifest.entry} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const template = mod.default ?? mod.template;
  if (!isTemplate(template)) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id}: the module does not export a template made with defineTemplate() (default export expected)`,
    );
  }
  if (template.specVersion > TEMPLATE_SPEC_VERSION) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INCOMPATIBLE,
      `${id} uses template spec ${template.specVersion}; this server understands up to ${TEMPLATE_SPEC_VERSION}`,
    );
  }
  if (template.version !== manifest.packageVersion) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id}: the template says version ${template.version} but its package.json says ${manifest.packageVersion}`,
    );
  }
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(template.name)) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id}: template name ${JSON.stringify(template.name)} is not a lower-case slug`,
    );
  }
  return {
    template,
    packageName: manifest.packageName,
    packageVersion: manifest.packageVersion,
    packageDir: manifest.packageDir,
  };
}

/**
 * Finds installed templates: the host app's own dependencies plus extra directories. Metadata is
 * checked first; only compatible packages are imported, in parallel. Never throws for a bad
 * package: it lands in `rejected` with a coded reason and the rest still load.
 */
export async function discoverTemplates(options: DiscoveryOptions): Promise<DiscoveryResult> {
  const coreApiVersion = options.coreApiVersion ?? CORE_API_VERSION;
  const seen = new Set<string>();
  const dirs: string[] = [];
  for (const dir of [
    ...hostDependencyDirs(options.hostDir),
    ...(options.extraDirs ?? []).flatMap(extraPackageDirs),
  ]) {
    const real = realpathSync(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    dirs.push(real);
  }

  const rejected: RejectedTemplate[] = [];
  const manifests: TemplateManifest[] = [];
  for (const dir of dirs) {
    const check = (text: string) => checkManifestText(dir, text, coreApiVersion);
    let verdict: ManifestVerdict;
    try {
      verdict = options.cache
        ? options.cache.verdict(dir, coreApiVersion, check)
        : check(readFileSync(join(dir, "package.json"), "utf8"));
    } catch (error) {
      verdict = { kind: "rejected", rejection: rejection(dir, undefined, error) };
    }
    if (verdict.kind === "template") manifests.push(verdict.manifest);
    else if (verdict.kind === "rejected") rejected.push(verdict.rejection);
  }

  const settled = await Promise.allSettled(manifests.map(loadTemplateModule));
  const loaded: LoadedTemplate[] = [];
  settled.forEach((outcome, i) => {
    const manifest = manifests[i]!;
    if (outcome.status === "fulfilled") loaded.push(outcome.value);
    else
      rejected.push(
        rejection(
          manifest.packageDir,
          { name: manifest.packageName, version: manifest.packageVersion },
          outcome.reason,
        ),
      );
  });
  return { loaded, rejected };
}
