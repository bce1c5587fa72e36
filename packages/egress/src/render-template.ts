import {
  type Filter,
  isWholePlaceholder,
  type PathCheck,
  type Placeholder,
  parsePlaceholders,
} from "./placeholders.js";
import { RequestTemplateError } from "./request-template-error.js";

/** What placeholders read: the roots a `PathCheck` admits, e.g. `{ args }` or `{ input, steps }`. */
export type TemplateScope = Readonly<Record<string, unknown>>;

export interface RenderOptions {
  /** Which paths the scope has. */
  check: PathCheck;
  /**
   * A missing (undefined) value put into text: `empty` inserts `""`, `refuse` throws
   * `RequestTemplateError` (`missing`). Default `empty`.
   */
  missing?: "empty" | "refuse";
}

/** How an interpolated value's text goes into the string, e.g. percent-encoded in a URL. */
export type Insert = (text: string, placeholder: Placeholder, offset: number) => string;

/** Walks own properties only, so `constructor` or `__proto__` never reach into prototypes. */
export function resolvePath(scope: unknown, segments: readonly string[]): unknown {
  let current: unknown = scope;
  for (const segment of segments) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function toText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function applyFilter(value: unknown, filter: Filter): string {
  return filter === "json" ? (JSON.stringify(value) ?? "null") : encodeURIComponent(toText(value));
}

function placeholdersOf(text: string, check: PathCheck): Placeholder[] {
  const parsed = parsePlaceholders(text, check);
  if (!parsed.ok) throw new RequestTemplateError("placeholder", parsed.message);
  return parsed.value;
}

function filtered(value: unknown, placeholder: Placeholder): unknown {
  let result = value;
  for (const filter of placeholder.filters) result = applyFilter(result, filter);
  return result;
}

const keep: Insert = (text) => text;

/**
 * Interpolates every placeholder into a string: strings verbatim, other values as JSON, missing
 * values as `""` (or refused, see `missing`); `insert` may encode each value's text.
 */
export function renderString(
  text: string,
  scope: TemplateScope,
  options: RenderOptions,
  insert: Insert = keep,
): string {
  const placeholders = placeholdersOf(text, options.check);
  if (placeholders.length === 0) return text;
  let index = 0;
  return text.replace(/\{\{[^{}]*\}\}/g, (_match, offset: number) => {
    const placeholder = placeholders[index++]!;
    const value = resolvePath(scope, placeholder.segments);
    if (value === undefined && options.missing === "refuse") {
      throw new RequestTemplateError("missing", `${placeholder.raw} has no value`);
    }
    return insert(toText(filtered(value, placeholder)), placeholder, offset);
  });
}

/**
 * Renders a JSON-like value: a string that is exactly one placeholder keeps the referenced value's
 * type (so `"{{args.items}}"` passes an array through, and a missing one leaves its key out of the
 * JSON), other strings are interpolated.
 */
export function renderValue(value: unknown, scope: TemplateScope, options: RenderOptions): unknown {
  if (typeof value === "string") {
    if (!isWholePlaceholder(value)) return renderString(value, scope, options);
    const placeholder = placeholdersOf(value, options.check)[0]!;
    return filtered(resolvePath(scope, placeholder.segments), placeholder);
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope, options));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, renderValue(item, scope, options)]),
    );
  }
  return value;
}
