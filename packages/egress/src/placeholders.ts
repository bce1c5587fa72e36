/**
 * The placeholder language of request templates (and of the task template's other templated
 * strings): `{{ path }}` or `{{ path | filter }}`, a path being dot-separated names such as
 * `args.city` or `steps.fetch.output.items.0`. Which roots a path may start with is the caller's
 * `PathCheck`; there is deliberately no access to env, functions or expressions.
 */

export type Filter = "json" | "urlencode";

export const FILTERS: readonly Filter[] = ["json", "urlencode"];

export interface Placeholder {
  /** The whole `{{ … }}` text as written. */
  raw: string;
  /** Path segments from the scope root, e.g. `["args", "city"]`. */
  segments: string[];
  filters: Filter[];
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Why a well-formed path is not readable in one scope (e.g. an unknown root), or undefined. */
export type PathCheck = (segments: readonly string[], text: string) => string | undefined;

/** The placeholder syntax, once: `{{`, anything but braces, `}}`. */
const PLACEHOLDER_SOURCE = String.raw`\{\{([^{}]*)\}\}`;
const PLACEHOLDER = new RegExp(PLACEHOLDER_SOURCE, "g");
// Own instances for `test`: the global one above keeps `lastIndex` between calls.
const ANY_PLACEHOLDER = new RegExp(PLACEHOLDER_SOURCE);
const WHOLE_PLACEHOLDER = new RegExp(`^${PLACEHOLDER_SOURCE}$`);
const SEGMENT = /^[^\s.|{}]+$/;

/** Parses a bare path such as `args.count` or `steps.fetch.output.items.0`. */
export function parsePath(path: string, check: PathCheck): ParseResult<string[]> {
  const text = path.trim();
  const segments = text.split(".");
  if (text === "" || !segments.every((s) => SEGMENT.test(s))) {
    return { ok: false, message: `"${text}" is not a path (dot-separated names, no spaces)` };
  }
  const problem = check(segments, text);
  return problem === undefined ? { ok: true, value: segments } : { ok: false, message: problem };
}

function parsePlaceholder(raw: string, body: string, check: PathCheck): ParseResult<Placeholder> {
  const [path = "", ...filterNames] = body.split("|").map((part) => part.trim());
  const segments = parsePath(path, check);
  if (!segments.ok) return { ok: false, message: `${raw}: ${segments.message}` };
  const unknown = filterNames.find((name) => !FILTERS.includes(name as Filter));
  if (unknown !== undefined) {
    return { ok: false, message: `${raw}: unknown filter "${unknown}" (known: ${FILTERS.join(", ")})` };
  }
  return { ok: true, value: { raw, segments: segments.value, filters: filterNames as Filter[] } };
}

/** Every `{{ … }}` in a string, in order; a malformed one makes the whole string invalid. */
export function parsePlaceholders(text: string, check: PathCheck): ParseResult<Placeholder[]> {
  const placeholders: Placeholder[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const parsed = parsePlaceholder(match[0], match[1]!, check);
    if (!parsed.ok) return parsed;
    placeholders.push(parsed.value);
  }
  return { ok: true, value: placeholders };
}

/** True when the string holds a `{{ … }}` anywhere (well-formed or not: parsing says which). */
export function hasPlaceholder(text: string): boolean {
  return ANY_PLACEHOLDER.test(text);
}

/** True when the string is exactly one placeholder, so it can stand for a non-string value. */
export function isWholePlaceholder(text: string): boolean {
  return WHOLE_PLACEHOLDER.test(text.trim());
}
