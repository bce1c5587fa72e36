import { type ParseResult, type PathCheck, parsePath, parsePlaceholders } from "@agentrt/egress";

/**
 * What the task template's placeholders (`{{steps.fetch.output.title}}`, shared syntax from
 * `@agentrt/egress`) and transform paths (`steps.fetch.output.title`) may read: only the run
 * `input` and the `output` of an earlier step.
 */
export const TASK_PATHS: PathCheck = (segments, text) =>
  segments[0] === "input" || (segments[0] === "steps" && segments.length >= 3 && segments[2] === "output")
    ? undefined
    : `"${text}" must start with "input" or "steps.<id>.output"`;

export interface Reference {
  /** Path segments from the scope root, e.g. `["steps", "fetch", "output", "title"]`. */
  segments: string[];
  /** The step whose output is read; undefined for `input` references. */
  stepId: string | undefined;
}

function referenceOf(segments: string[]): Reference {
  return { segments, stepId: segments[0] === "steps" ? segments[1] : undefined };
}

/** Parses a bare path such as `input.count` or `steps.fetch.output.items.0`. */
export function parseReference(path: string): ParseResult<Reference> {
  const parsed = parsePath(path, TASK_PATHS);
  return parsed.ok ? { ok: true, value: referenceOf(parsed.value) } : parsed;
}

/** The references of every `{{ … }}` in a string, in order; a malformed one makes it invalid. */
export function parseTemplateReferences(text: string): ParseResult<Reference[]> {
  const parsed = parsePlaceholders(text, TASK_PATHS);
  return parsed.ok ? { ok: true, value: parsed.value.map((p) => referenceOf(p.segments)) } : parsed;
}
