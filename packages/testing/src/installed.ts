import type { Template } from "@agentrt/core";
import { type InstalledTemplate, installTemplate } from "@agentrt/runtime";

/** Version given to a template tested without its package (its package.json gives the real one). */
const UNPACKAGED_VERSION = "0.0.0";

/** The template as a host runs it: with a version, its package's when it came from one. */
export function asInstalled(template: Template | InstalledTemplate): InstalledTemplate {
  const version = (template as Partial<InstalledTemplate>).version;
  return typeof version === "string"
    ? (template as InstalledTemplate)
    : installTemplate(template, UNPACKAGED_VERSION);
}
