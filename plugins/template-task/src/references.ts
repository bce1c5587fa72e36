/**
 * The tiny reference language shared by templated strings (`{{steps.fetch.output.title}}`) and
 * transform paths (`steps.fetch.output.title`). Only two roots exist: the run `input` and the
 * `output` of an earlier step. There is deliberately no access to env, functions or expressions.
 */

export type Filter = "json" | "urlencode";

export const FILTERS: readonly Filter[] = ["json", "urlencode"];

export interface Reference {
  /** Path segments from the scope root, e.g. `["steps", "fetch", "output", "title"]`. */
  segments: string[];
  /** The step whose output is read; undefined for `input` references. */
  stepId: string | undefined;
}

export interface Placeholder {
  /** The whole `{{ … }}` text as written. */
  raw: string;
  reference: Reference;
  filters: Filter[];
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const SEGMENT = /^[^\s.|{}]+$/;

/** Parses a bare path such as `input.count` or `steps.fetch.output.items.0`. */
export function parseReference(path: string): ParseResult<Reference> {
  const text = path.trim();
  const segments = text.split(".");
  if (text === "" || !segments.every((s) => SEGMENT.test(s))) {
    return { ok: false, message: `"${text}" is not a path (dot-separated names, no spaces)` };
  }
  if (segments[0] === "input") return { ok: true, value: { segments, stepId: undefined } };
  if (segments[0] === "steps" && segments.length >= 3 && segments[2] === "output") {
    return { ok: true, value: { segments, stepId: segments[1] } };
  }
  return {
    ok: false,
    message: `"${text}" must start with "input" or "steps.<id>.output"`,
  };
}

function parsePlaceholder(raw: string, body: string): ParseResult<Placeholder> {
  const [path = "", ...filterNames] = body.split("|").map((part) => part.trim());
  const reference = parseReference(path);
  if (!reference.ok) return { ok: false, message: `${raw}: ${reference.message}` };
  const unknown = filterNames.find((name) => !FILTERS.includes(name as Filter));
  if (unknown !== undefined) {
    return { ok: false, message: `${raw}: unknown filter "${unknown}" (known: ${FILTERS.join(", ")})` };
  }
  return { ok: true, value: { raw, reference: reference.value, filters: filterNames as Filter[] } };
}

/** Every `{{ … }}` in a string, in order; a malformed one makes the whole string invalid. */
export function parsePlaceholders(text: string): ParseResult<Placeholder[]> {
  const placeholders: Placeholder[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const parsed = parsePlaceholder(match[0], match[1]!);
    if (!parsed.ok) return parsed;
    placeholders.push(parsed.value);
  }
  return { ok: true, value: placeholders };
}

/** True when the string is exactly one placeholder, so it can stand for a non-string value. */
export function isWholePlaceholder(text: string): boolean {
  const trimmed = text.trim();
  return /^\{\{[^{}]*\}\}$/.test(trimmed);
}
