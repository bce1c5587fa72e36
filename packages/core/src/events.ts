import { z } from "zod";
import { AnyErrorCodeSchema } from "./errors.js";

export const RunErrorSchema = z.object({
  code: AnyErrorCodeSchema,
  message: z.string(),
  /** Extra facts about the failure, e.g. the user's stack for a sandboxed code error (size-capped). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type RunError = z.infer<typeof RunErrorSchema>;

/**
 * Events a template yields from `run()`. The host adds `run.started` / `run.finished` itself and
 * turns a thrown error into an `error` event, so templates only report their own work.
 */
export const TemplateEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("step.started"), stepId: z.string(), name: z.string().optional() }),
  z.object({
    type: z.literal("step.finished"),
    stepId: z.string(),
    status: z.enum(["succeeded", "failed", "skipped"]),
    output: z.unknown().optional(),
    error: RunErrorSchema.optional(),
    attempts: z.number().int().optional(),
  }),
  z.object({ type: z.literal("progress"), done: z.number().int(), total: z.number().int() }),
  z.object({ type: z.literal("output.delta"), text: z.string() }),
  z.object({ type: z.literal("output"), output: z.unknown() }),
  z.object({
    type: z.literal("log"),
    level: z.enum(["debug", "info", "warn", "error"]),
    message: z.string(),
  }),
  /** A server-side tool call the agent runs itself; `arguments` is the model's JSON text. */
  z.object({
    type: z.literal("tool.call"),
    callId: z.string(),
    name: z.string(),
    arguments: z.string(),
  }),
  /** Its result as the model gets it (bounded); `ok: false` when the tool failed or timed out. */
  z.object({
    type: z.literal("tool.result"),
    callId: z.string(),
    name: z.string(),
    ok: z.boolean(),
    result: z.string(),
  }),
  z.object({
    type: z.literal("usage"),
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    /** The model that reported the usage (the provider's name for it), for usage by model. */
    model: z.string().max(200).optional(),
  }),
]);
export type TemplateEvent = z.infer<typeof TemplateEventSchema>;
