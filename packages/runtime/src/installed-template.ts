import type { Template } from "@agentrt/core";

/** A template as the host runs it: the definition plus the version its package.json declares. */
export type InstalledTemplate = Template & { readonly version: string };

/** Pairs a template with its package version (discovery reads it from package.json). */
export function installTemplate(template: Template, version: string): InstalledTemplate {
  return Object.freeze({ ...template, version });
}
