import { jsonStrings } from "@agentrt/egress";
import type { Step } from "./step-schema.js";

/** A templated string or bare path inside a step, addressed relative to the step. */
export interface StepTemplate {
  path: (string | number)[];
  text: string;
  /** `template` strings hold `{{ … }}` placeholders; `path` strings are a single bare path. */
  mode: "template" | "path";
}

function jsonTemplates(value: unknown, path: (string | number)[]): StepTemplate[] {
  return jsonStrings(value, path).map((found): StepTemplate => ({ ...found, mode: "template" }));
}

/** Every place in a step that reads the run input or another step's output. */
export function collectStepTemplates(step: Step): StepTemplate[] {
  switch (step.kind) {
    case "http":
      return [
        { path: ["url"], text: step.url, mode: "template" },
        // Header values given as `{ "env": … }` / `{ "secret": … }` are references, not templates.
        ...Object.entries(step.headers ?? {}).flatMap(([name, value]) =>
          typeof value === "string" ? jsonTemplates(value, ["headers", name]) : [],
        ),
        ...jsonTemplates(step.body, ["body"]),
      ];
    case "transform":
      return [
        ...Object.entries(step.map ?? {}).map(
          ([key, text]): StepTemplate => ({
            path: ["map", key],
            text,
            mode: "path",
          }),
        ),
        ...(step.pick === undefined
          ? []
          : [{ path: ["pick"], text: step.pick, mode: "path" } satisfies StepTemplate]),
        ...jsonTemplates(step.template, ["template"]),
      ];
    case "llm":
      return [
        ...jsonTemplates(step.systemPrompt, ["systemPrompt"]),
        { path: ["prompt"], text: step.prompt, mode: "template" },
      ];
    case "agent":
      return jsonTemplates(step.input, ["input"]);
    case "wait":
      return [];
  }
}
