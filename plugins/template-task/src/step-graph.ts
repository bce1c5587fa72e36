import type { FieldIssue } from "@agentrt/core";
import { parseReference, parseTemplateReferences, type Reference } from "./references.js";
import type { Step } from "./step-schema.js";
import { collectStepTemplates } from "./step-templates.js";

/** One "must run after" relation, with the config path that created it (for error reporting). */
interface Edge {
  to: number;
  path: (string | number)[];
}

export interface StepGraph {
  issues: FieldIssue[];
  /** For each step (by index), the indices of the steps it needs: `dependsOn` plus referenced outputs. */
  dependencies: number[][];
}

function referencesOf(
  step: Step,
  index: number,
  issues: FieldIssue[],
): { reference: Reference; path: (string | number)[] }[] {
  const found: { reference: Reference; path: (string | number)[] }[] = [];
  for (const template of collectStepTemplates(step)) {
    const path = ["steps", index, ...template.path];
    if (template.mode === "path") {
      const parsed = parseReference(template.text);
      if (parsed.ok) found.push({ reference: parsed.value, path });
      else issues.push({ path, message: parsed.message });
      continue;
    }
    const parsed = parseTemplateReferences(template.text);
    if (parsed.ok) found.push(...parsed.value.map((reference) => ({ reference, path })));
    else issues.push({ path, message: parsed.message });
  }
  return found;
}

function edgesOf(step: Step, index: number, ids: Map<string, number>, issues: FieldIssue[]): Edge[] {
  const edges: Edge[] = [];
  const link = (target: string, path: (string | number)[], what: string) => {
    const to = ids.get(target);
    if (to === undefined) issues.push({ path, message: `${what} unknown step "${target}"` });
    else if (to === index) issues.push({ path, message: `step "${step.id}" cannot depend on itself` });
    else edges.push({ to, path });
  };
  step.dependsOn?.forEach((target, j) => {
    link(target, ["steps", index, "dependsOn", j], "depends on");
  });
  for (const { reference, path } of referencesOf(step, index, issues)) {
    if (reference.stepId !== undefined)
      link(reference.stepId, path, `{{${reference.segments.join(".")}}} refers to`);
  }
  return edges;
}

/** Depth-first search that reports each cycle once, at the edge that closes it. */
function findCycles(steps: readonly Step[], edges: Edge[][]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const state = new Array<"new" | "open" | "done">(steps.length).fill("new");
  const trail: number[] = [];
  const visit = (node: number) => {
    state[node] = "open";
    trail.push(node);
    for (const edge of edges[node]!) {
      if (state[edge.to] === "open") {
        const cycle = [...trail.slice(trail.indexOf(edge.to)), edge.to].map((i) => steps[i]!.id);
        issues.push({ path: edge.path, message: `dependency cycle: ${cycle.join(" → ")}` });
      } else if (state[edge.to] === "new") visit(edge.to);
    }
    trail.pop();
    state[node] = "done";
  };
  steps.forEach((_, node) => {
    if (state[node] === "new") visit(node);
  });
  return issues;
}

/** Checks ids, references and cycles, and derives the dependency graph the runner schedules by. */
export function analyzeSteps(steps: readonly Step[]): StepGraph {
  const issues: FieldIssue[] = [];
  const ids = new Map<string, number>();
  steps.forEach((step, index) => {
    const first = ids.get(step.id);
    if (first === undefined) ids.set(step.id, index);
    else
      issues.push({
        path: ["steps", index, "id"],
        message: `duplicate step id "${step.id}" (also steps[${first}])`,
      });
  });
  const edges = steps.map((step, index) => edgesOf(step, index, ids, issues));
  issues.push(...findCycles(steps, edges));
  const dependencies = edges.map((list) => [...new Set(list.map((edge) => edge.to))]);
  return { issues, dependencies };
}
