import { ErrorCode } from "@agentrt/core";
import { z } from "zod";
import { readKey } from "../api-key.js";
import { fetchUpstream } from "../fetch-upstream.js";
import { renderString } from "../render.js";
import { createStepError } from "../step-error.js";
import type { StepOf } from "../step-schema.js";
import { inModelCallSpan } from "../tracing.js";
import type { StepContext, StepResult } from "./step-context.js";

/** The part of an OpenAI chat completion this step reads. */
const ChatCompletionSchema = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string() }), finish_reason: z.string().nullish() }))
    .min(1),
  usage: z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int() }).optional(),
});

function chatCompletionsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/chat/completions`;
}

/** Sends one prompt to an OpenAI-compatible `/chat/completions`; the output is the reply text. */
export async function runLlmStep(step: StepOf<"llm">, ctx: StepContext): Promise<StepResult> {
  const headers = new Headers({ "content-type": "application/json", accept: "application/json" });
  if (step.apiKey !== undefined) {
    headers.set("authorization", `Bearer ${await readKey(step.apiKey, ctx.keySource)}`);
  }
  const messages = [
    ...(step.systemPrompt === undefined
      ? []
      : [{ role: "system", content: renderString(step.systemPrompt, ctx.scope) }]),
    { role: "user", content: renderString(step.prompt, ctx.scope) },
  ];
  const url = chatCompletionsUrl(step.baseUrl);
  return inModelCallSpan(step.model, url, async () => {
    const result = await complete(step, ctx, url, headers, messages);
    return { value: result, result: { usage: result.usage, finishReason: result.finishReason } };
  });
}

async function complete(
  step: StepOf<"llm">,
  ctx: StepContext,
  url: string,
  headers: Headers,
  messages: { role: string; content: string }[],
): Promise<StepResult & { finishReason?: string | null | undefined }> {
  const body = await fetchUpstream({
    url,
    method: "POST",
    headers,
    body: JSON.stringify({
      model: step.model,
      messages,
      temperature: step.temperature,
      max_tokens: step.maxTokens,
      stream: false,
    }),
    signal: ctx.signal,
    maxResponseBytes: ctx.maxResponseBytes,
    fetch: ctx.fetch,
  });
  const parsed = ChatCompletionSchema.safeParse(body);
  if (!parsed.success) {
    throw createStepError(ErrorCode.UPSTREAM_ERROR, "the model's response has no assistant message content", {
      retryable: false,
    });
  }
  const usage = parsed.data.usage;
  const choice = parsed.data.choices[0]!;
  return {
    output: choice.message.content,
    finishReason: choice.finish_reason,
    ...(usage
      ? {
          usage: {
            promptTokens: usage.prompt_tokens,
            completionTokens: usage.completion_tokens,
            model: step.model,
          },
        }
      : {}),
  };
}
