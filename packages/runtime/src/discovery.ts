import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  AgentrtError,
  CORE_API_VERSION,
  ErrorCode,
  isAgentrtError,
  isErrorCode,
  isTemplate,
  type PackageManifest,
  parseTemplateManifest,
  TEMPLATE_SPEC_VERSION,
  type TemplateManifest,
} from "@agentrt/core";
import { type InstalledTemplate, installTemplate } from "./installed-template.js";
import { checkErrorDeclarations } from "./template-errors.js";

export interface DiscoveryOptions {
  /** The host app whose package.json dependencies are scanned (Backstage-style). */
  hostDir: string;
  /** Extra directories: each is a template package, or a folder of template packages. */
  extraDirs?: string[];
  coreApiVersion?: string;
  /** Remembers manifest verdicts between start-ups (see `loadDiscoveryCache`). */
  cache?: ManifestCache;
  /**
   * Ids of the services the host provides. A template that requires another one is refused
   * (TEMPLATE_SERVICE_MISSING). Omitted: services are not checked (listing tools).
   */
  services?: ReadonlySet<string>;
}

/** What discovery concludes from one package's manifest alone, before any import. JSON-able. */
export type ManifestVerdict =
  | { kind: "other" }
  | { kind: "template"; manifest: InstalledManifest }
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
export interface InstalledManifest extends TemplateManifest {
  packageDir: string;
  /** Absolute path of the module that default-exports the template. */
  entry: string;
}

export interface LoadedTemplate {
  template: InstalledTemplate;
  /** The core API range its package.json declares. */
  coreApi: string;
  packageName: string;
  packageVersion: string;
  packageDir: string;
}

export interface RejectedTemplate {
  packageName: string;
  /** Known when the package was imported before it was refused (e.g. a missing service). */
  templateName?: string;
  packageVersion: string | null;
  packageDir: string | null;
  code: ErrorCode;
  message: string;
}

export interface DiscoveryResult {
  loaded: LoadedTemplate[];
  rejected: RejectedTemplate[];
}

interface PackageJson extends PackageManifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
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

function rejection(dir: string, manifest: PackageJson | undefined, error: unknown): RejectedTemplate {
  const known = isAgentrtError(error);
  const templateName = known ? error.details?.template : undefined;
  return {
    packageName: typeof manifest?.name === "string" ? manifest.name : dir,
    ...(typeof templateName === "string" ? { templateName } : {}),
    packageVersion: typeof manifest?.version === "string" ? manifest.version : null,
    packageDir: dir,
    code: known && isErrorCode(error.code) ? error.code : ErrorCode.TEMPLATE_INVALID,
    message: known
      ? error.message
      : `failed to load: ${error instanceof Error ? error.message : String(error)}`,
  };
}

/** Reads and checks one package's metadata. Returns undefined for packages that are not templates. */
export function readTemplateManifest(
  packageDir: string,
  coreApiVersion = CORE_API_VERSION,
): InstalledManifest | undefined {
  return checkTemplateManifest(packageDir, readJson(join(packageDir, "package.json")), coreApiVersion);
}

function checkTemplateManifest(
  packageDir: string,
  manifest: PackageJson,
  coreApiVersion: string,
): InstalledManifest | undefined {
  const parsed = parseTemplateManifest(manifest, coreApiVersion);
  return parsed && { ...parsed, packageDir, entry: resolve(packageDir, parsed.entry) };
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

/** Checks what the template declares against this host: spec version, name, errors, services. */
function checkTemplate(
  id: string,
  template: InstalledTemplate,
  services: ReadonlySet<string> | undefined,
): void {
  if (template.specVersion > TEMPLATE_SPEC_VERSION) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INCOMPATIBLE,
      `${id} uses template spec ${template.specVersion}; this server understands up to ${TEMPLATE_SPEC_VERSION}`,
    );
  }
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(template.name)) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id}: template name ${JSON.stringify(template.name)} is not a lower-case slug`,
    );
  }
  const badErrors = checkErrorDeclarations(template.errors);
  if (badErrors)
    throw new AgentrtError(ErrorCode.TEMPLATE_INVALID, `${id}: ${badErrors}`, {
      details: { template: template.name },
    });
  if (!services) return;
  const missing = Object.values(template.services ?? {}).filter(
    (ref) => !ref.optional && !services.has(ref.id),
  );
  if (missing.length > 0) {
    const ids = missing.map((ref) => ref.id);
    throw new AgentrtError(
      ErrorCode.TEMPLATE_SERVICE_MISSING,
      `${id} needs the host service${ids.length > 1 ? "s" : ""} ${ids.map((i) => `"${i}"`).join(", ")}, which this server does not provide`,
      { details: { template: template.name, missing: ids, provided: [...services].sort() } },
    );
  }
}

/**
 * Imports a manifest's entry and checks that it exports a well-formed template this host can run.
 * The template's version is its package's.
 */
export async function loadTemplateModule(
  manifest: InstalledManifest,
  services?: ReadonlySet<string>,
): Promise<LoadedTemplate> {
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
  const exported = mod.default ?? mod.template;
  if (!isTemplate(exported)) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${id}: the module does not export a template made with defineTemplate() (default export expected)`,
    );
  }
  const template = installTemplate(exported, manifest.packageVersion);
  checkTemplate(id, template, services);
  return {
    template,
    coreApi: manifest.coreApi,
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
  const manifests: InstalledManifest[] = [];
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

  const settled = await Promise.allSettled(
    manifests.map((manifest) => loadTemplateModule(manifest, options.services)),
  );
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
