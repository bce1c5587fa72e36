import { z } from "zod";
import { LIMITS } from "./limits.js";
import { analyzeSteps } from "./step-graph.js";
import { StepSchema } from "./step-schema.js";

/** A task agent's config: its steps and how they run. */
export const TaskConfigSchema = z
  .strictObject({
    steps: z.array(StepSchema).min(1).max(LIMITS.maxSteps),
    /** Seconds each attempt of a step may take. */
    stepTimeout: z.number().min(LIMITS.minStepTimeout).max(LIMITS.maxStepTimeout).default(60),
    /** Extra attempts after a failed one. */
    retryCount: z.number().int().min(0).max(LIMITS.maxRetryCount).default(0),
    /** First retry delay in ms; each further retry doubles it. */
    retryBackoffMs: z.number().int().min(0).max(60_000).default(200),
    parallelExecution: z.boolean().default(false),
    strictMode: z.boolean().default(true),
    outputFormat: z.enum(["structured", "text", "last"]).default("structured"),
    /** Largest response body an http or llm step reads. */
    maxResponseBytes: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.maxResponseBytes)
      .default(1024 * 1024),
  })
  .superRefine((config, ctx) => {
    for (const issue of analyzeSteps(config.steps).issues) ctx.addIssue({ code: "custom", ...issue });
    config.steps.forEach((step, index) => {
      if (step.kind === "wait" && step.seconds > config.stepTimeout) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", index, "seconds"],
          message: `wait of ${step.seconds}s exceeds stepTimeout (${config.stepTimeout}s)`,
        });
      }
    });
  });

export type TaskConfig = z.output<typeof TaskConfigSchema>;
