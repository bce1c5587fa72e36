// One step of a task, per kind. A module of its own so that the step graph and the step templates
// read the step type without importing the config schema, which runs the graph check on them.
import { ApiKeyRefSchema } from "@agentrt/core";
import { requestTemplateIssues } from "@agentrt/egress";
import { z } from "zod";
import { LIMITS } from "./limits.js";

const StepIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, "must be a slug: a letter, then letters, digits, _ or -");

const stepBase = {
  id: StepIdSchema,
  name: z.string().min(1).max(200).optional(),
  dependsOn: z.array(StepIdSchema).max(LIMITS.maxSteps).optional(),
};

/**
 * A request template of `@agentrt/egress` (the conversation template's http tools share it):
 * placeholders in the URL's path and query are percent-encoded; a URL whose scheme, host or port
 * is templated renders as a whole and must be an http(s) URL the egress policy accepts.
 */
export const HttpStepSchema = z
  .strictObject({
    ...stepBase,
    kind: z.literal("http"),
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]).default("GET"),
    /** Templated; must render to an http(s) URL. */
    url: z.string().min(1),
    /** Templated text, or `{ "env": … }` / `{ "secret": … }`, read per request. */
    headers: z.record(z.string(), z.union([z.string(), ApiKeyRefSchema])).optional(),
    /** A string is sent as is; any other JSON value is templated recursively and sent as JSON. */
    body: z.json().optional(),
  })
  .superRefine((step, ctx) => {
    // Placeholders are checked (with the references they make) by the step graph.
    for (const issue of requestTemplateIssues(step, { templatedOrigin: true })) {
      ctx.addIssue({ code: "custom", ...issue });
    }
  });

export const TransformStepSchema = z
  .strictObject({
    ...stepBase,
    kind: z.literal("transform"),
    /** Output object: each key gets the value at a path such as `steps.fetch.output.title`. */
    map: z.record(z.string(), z.string()).optional(),
    /** Output: the value at one path. */
    pick: z.string().optional(),
    /** Output: a templated string. */
    template: z.string().optional(),
  })
  .refine((step) => [step.map, step.pick, step.template].filter((v) => v !== undefined).length === 1, {
    message: 'a transform step needs exactly one of "map", "pick" or "template"',
  });

export const LlmStepSchema = z.strictObject({
  ...stepBase,
  kind: z.literal("llm"),
  model: z.string().min(1),
  /** An OpenAI-compatible API root, e.g. `https://api.openai.com/v1`; `/chat/completions` is appended. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** Where the API key comes from, as in the conversation template; omit for servers that need none. */
  apiKey: ApiKeyRefSchema.optional(),
  /** Templated system message. */
  systemPrompt: z.string().min(1).optional(),
  /** Templated user message. */
  prompt: z.string().min(1),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
});

export const WaitStepSchema = z.strictObject({
  ...stepBase,
  kind: z.literal("wait"),
  /** May be fractional; must not exceed `stepTimeout`. */
  seconds: z.number().min(0).max(LIMITS.maxStepTimeout),
});

export const AgentStepSchema = z.strictObject({
  ...stepBase,
  kind: z.literal("agent"),
  /** Name or id of the agent to invoke. */
  agent: z.string().min(1),
  /** Templated JSON value; defaults to the whole run input. */
  input: z.json().default("{{input}}"),
});

export const StepSchema = z.discriminatedUnion("kind", [
  HttpStepSchema,
  TransformStepSchema,
  LlmStepSchema,
  WaitStepSchema,
  AgentStepSchema,
]);

export type Step = z.output<typeof StepSchema>;
export type StepOf<K extends Step["kind"]> = Extract<Step, { kind: K }>;
