import { AgentrtError } from "@agentrt/core";
import { TaskError } from "./errors.js";
import {
  type Filter,
  isWholePlaceholder,
  type Placeholder,
  parsePlaceholders,
  parseReference,
} from "./references.js";

/** What templates can see: the run input and the outputs of steps that already succeeded. */
export interface TaskScope {
  input: unknown;
  steps: Record<string, { output: unknown }>;
}

/** Walks own properties only, so `constructor` or `__proto__` never reach into prototypes. */
export function resolvePath(scope: TaskScope, segments: readonly string[]): unknown {
  let current: unknown = scope;
  for (const segment of segments) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Reads a bare transform path such as `steps.fetch.output.title`. */
export function readPath(scope: TaskScope, path: string): unknown {
  const parsed = parseReference(path);
  if (!parsed.ok) throw new AgentrtError(TaskError.STEP_FAILED, parsed.message);
  return resolvePath(scope, parsed.value.segments);
}

function toText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function applyFilter(value: unknown, filter: Filter): string {
  return filter === "json" ? (JSON.stringify(value) ?? "null") : encodeURIComponent(toText(value));
}

function placeholderValue(placeholder: Placeholder, scope: TaskScope): unknown {
  let value = resolvePath(scope, placeholder.reference.segments);
  for (const filter of placeholder.filters) value = applyFilter(value, filter);
  return value;
}

function placeholdersOf(text: string): Placeholder[] {
  const parsed = parsePlaceholders(text);
  if (!parsed.ok) throw new AgentrtError(TaskError.STEP_FAILED, parsed.message);
  return parsed.value;
}

/**
 * Interpolates every placeholder into a string. Strings go in verbatim, other values as JSON and
 * missing values as the empty string.
 */
export function renderString(text: string, scope: TaskScope): string {
  const placeholders = placeholdersOf(text);
  if (placeholders.length === 0) return text;
  let index = 0;
  return text.replace(/\{\{[^{}]*\}\}/g, () => toText(placeholderValue(placeholders[index++]!, scope)));
}

/**
 * Renders a JSON-like value: a string that is exactly one placeholder keeps the referenced value's
 * type (so `"{{steps.a.output}}"` passes an object through), other strings are interpolated.
 */
export function renderValue(value: unknown, scope: TaskScope): unknown {
  if (typeof value === "string") {
    if (!isWholePlaceholder(value)) return renderString(value, scope);
    return placeholderValue(placeholdersOf(value)[0]!, scope);
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, scope)]));
  }
  return value;
}
