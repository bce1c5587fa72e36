import { AgentrtError, ErrorCode, type ToolCall } from "@agentrt/core";
import type { PreparedChat, StoredRunEvent } from "@agentrt/runtime";

/** What the engine records around any run; any other event means the template did something. */
const LIFECYCLE_EVENTS: ReadonlySet<string> = new Set(["run.queued", "run.started", "error", "run.finished"]);

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A run's events as a chat reply sees them: text as it comes, then the end with the full reply. */
export type ChatEvent =
  | { type: "delta"; text: string }
  | { type: "end"; text: string; toolCalls: ToolCall[]; usage: ChatUsage; streamed: boolean };

/**
 * Follows a run's events into chat events. Usage is summed over the run (an agent may call models
 * several times). A run that does not succeed throws its error code, with `details.runFailure`
 * saying the run was started and whether it did anything before it failed (`acted`). Ends without
 * an `end` when the events stop early (the follower's signal fired).
 */
export async function* chatEvents(
  events: AsyncIterable<StoredRunEvent>,
  reply: Pick<PreparedChat, "reply" | "toolCalls">,
): AsyncGenerator<ChatEvent> {
  const usage: ChatUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  let streamed = false;
  let acted = false;
  for await (const { data } of events) {
    if (!LIFECYCLE_EVENTS.has(data.type)) acted = true;
    if (data.type === "output.delta") {
      if (data.text === "") continue;
      streamed = true;
      yield { type: "delta", text: data.text };
    } else if (data.type === "usage") {
      usage.prompt_tokens += data.promptTokens;
      usage.completion_tokens += data.completionTokens;
      usage.total_tokens += data.promptTokens + data.completionTokens;
    } else if (data.type === "run.finished") {
      if (data.status !== "succeeded") {
        throw new AgentrtError(
          data.error?.code ?? ErrorCode.RUN_FAILED,
          data.error?.message ?? `the run ended ${data.status}`,
          { details: { ...data.error?.details, runFailure: { acted } } },
        );
      }
      yield {
        type: "end",
        text: reply.reply(data.output),
        toolCalls: reply.toolCalls(data.output),
        usage,
        streamed,
      };
      return;
    }
  }
}
