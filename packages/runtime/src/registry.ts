import { AgentrtError, ErrorCode } from "@agentrt/core";
import semver from "semver";
import type { DiscoveryResult, LoadedTemplate, RejectedTemplate } from "./discovery.js";

export interface TemplateRef {
  name: string;
  /** Semver range; `*` when the reference named no version. */
  range: string;
}

/** Parses `task`, `task@^2` or `task@2.1.0` into a name and a range. */
export function parseTemplateRef(ref: string): TemplateRef {
  const at = ref.indexOf("@", 1);
  const name = at === -1 ? ref : ref.slice(0, at);
  const range = at === -1 ? "*" : ref.slice(at + 1);
  if (!name || semver.validRange(range) === null) {
    throw new AgentrtError(
      ErrorCode.VALIDATION_FAILED,
      `"${ref}" is not a template reference like "task" or "task@^1"`,
      {
        issues: [{ path: ["template"], message: "expected <name> or <name>@<semver range>" }],
      },
    );
  }
  return { name, range };
}

export interface TemplateRegistry {
  /** Template names, sorted. */
  names(): string[];
  /** How many template versions are loaded, across all names. */
  size(): number;
  /** Every loaded version of a template, newest first (empty when unknown). */
  versions(name: string): LoadedTemplate[];
  get(name: string, version: string): LoadedTemplate | undefined;
  /** The highest loaded version satisfying the range; throws TEMPLATE_NOT_FOUND / TEMPLATE_VERSION_NOT_FOUND. */
  resolve(name: string, range?: string): LoadedTemplate;
  /**
   * Adds (or, for the same name and version, replaces) a loaded template and clears any earlier
   * rejection of the same package directory; used by hot reload when a broken build is fixed.
   */
  register(loaded: LoadedTemplate): void;
  rejected(): RejectedTemplate[];
  /** Records a rejection, replacing any earlier one for the same package directory. */
  reject(rejection: RejectedTemplate): void;
  /** The HTTP status a loaded template declared for a namespaced code (`task.STEP_FAILED`). */
  errorStatus(code: string): number | undefined;
}

/**
 * The template names a refused package may have been asked for by: its own name when it was
 * imported before being refused, else the names its package name suggests (`agentrt-template-task`,
 * `@scope/template-task` → `task`).
 */
function rejectionNames(rejection: RejectedTemplate): string[] {
  if (rejection.templateName) return [rejection.templateName];
  const bare = rejection.packageName.replace(/^@[^/]+\//, "");
  const match = /^(?:agentrt-)?template-(.+)$/.exec(bare);
  return match ? [match[1]!, bare] : [bare];
}

/** Registry keyed by template name and version, with range resolution. */
export function createTemplateRegistry(
  discovery: DiscoveryResult = { loaded: [], rejected: [] },
): TemplateRegistry {
  const byName = new Map<string, LoadedTemplate[]>();
  const rejected: RejectedTemplate[] = [];

  const registry: TemplateRegistry = {
    names: () => [...byName.keys()].sort(),
    size: () => [...byName.values()].reduce((n, versions) => n + versions.length, 0),
    versions: (name) => byName.get(name) ?? [],
    get: (name, version) => byName.get(name)?.find((t) => t.template.version === version),
    resolve(name, range = "*") {
      const versions = byName.get(name);
      if (!versions?.length) {
        const refused = rejected.find((r) => rejectionNames(r).includes(name));
        if (refused) {
          throw new AgentrtError(
            ErrorCode.TEMPLATE_REJECTED,
            `template "${name}" is installed (${refused.packageName}) but was refused at load: ${refused.message}`,
            { details: { template: name, package: refused.packageName, code: refused.code } },
          );
        }
        throw new AgentrtError(ErrorCode.TEMPLATE_NOT_FOUND, `no template named "${name}" is installed`, {
          details: { template: name },
        });
      }
      const match = versions.find((t) =>
        semver.satisfies(t.template.version, range, { includePrerelease: true }),
      );
      if (!match) {
        throw new AgentrtError(
          ErrorCode.TEMPLATE_VERSION_NOT_FOUND,
          `template "${name}" has no installed version matching ${range} (installed: ${versions.map((t) => t.template.version).join(", ")})`,
          { details: { template: name, range } },
        );
      }
      return match;
    },
    register(loaded) {
      const versions = (byName.get(loaded.template.name) ?? []).filter(
        (t) => t.template.version !== loaded.template.version,
      );
      versions.push(loaded);
      versions.sort((a, b) => semver.rcompare(a.template.version, b.template.version));
      byName.set(loaded.template.name, versions);
      const stale = rejected.findIndex((r) => r.packageDir === loaded.packageDir);
      if (stale !== -1) rejected.splice(stale, 1);
    },
    rejected: () => [...rejected],
    errorStatus(code) {
      const dot = code.indexOf(".");
      if (dot === -1) return undefined;
      const own = code.slice(dot + 1);
      for (const { template } of byName.get(code.slice(0, dot)) ?? []) {
        const declared = template.errors?.[own];
        if (declared) return declared.status;
      }
      return undefined;
    },
    reject(rejection) {
      const i = rejected.findIndex((r) => r.packageDir === rejection.packageDir);
      if (i === -1) rejected.push(rejection);
      else rejected[i] = rejection;
    },
  };

  for (const r of discovery.rejected) registry.reject(r);
  for (const loaded of discovery.loaded) {
    const existing = registry.get(loaded.template.name, loaded.template.version);
    if (existing && existing.packageDir !== loaded.packageDir) {
      registry.reject({
        packageName: loaded.packageName,
        packageVersion: loaded.packageVersion,
        packageDir: loaded.packageDir,
        code: ErrorCode.TEMPLATE_DUPLICATE,
        message: `template ${loaded.template.name}@${loaded.template.version} is already provided by ${existing.packageName} (${existing.packageDir})`,
      });
      continue;
    }
    registry.register(loaded);
  }
  return registry;
}
