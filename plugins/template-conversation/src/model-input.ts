import { type BaseMessage, SystemMessage, trimMessages } from "@langchain/core/messages";
import type { MemoryPolicy } from "./config-schema.js";

/** Tokens OpenAI's chat format spends on each message besides its text. */
const MESSAGE_OVERHEAD_TOKENS = 4;

/**
 * Rough token count: about 4 characters per token plus per-message overhead. Deliberately not
 * tiktoken: LangChain fetches its encodings over the network, and providers tokenise differently.
 */
export function estimateTokens(messages: BaseMessage[]): number {
  let total = 0;
  for (const message of messages) total += Math.ceil(message.text.length / 4) + MESSAGE_OVERHEAD_TOKENS;
  return total;
}

const countMessages = (messages: BaseMessage[]): number => messages.length;

/**
 * What the model sees for one turn: the configured system prompt, a system message that opens the
 * history, then the most recent messages that fit the memory policy. Oldest messages go first; the
 * newest message is always sent, even when it alone exceeds a token budget.
 */
export async function buildModelInput(
  history: BaseMessage[],
  policy: MemoryPolicy,
  systemPrompt: string | undefined,
): Promise<BaseMessage[]> {
  const pinned: BaseMessage[] = systemPrompt ? [new SystemMessage(systemPrompt)] : [];
  const opensWithSystem = history[0]?.getType() === "system";
  if (opensWithSystem) pinned.push(history[0]!);
  const rest = opensWithSystem ? history.slice(1) : history;

  const budget =
    policy.strategy === "messages"
      ? policy.maxMessages
      : Math.max(0, policy.maxTokens! - estimateTokens(pinned));
  // No more messages than this can fit; cutting first keeps trimMessages (quadratic in its input)
  // cheap on long threads.
  const fitAtMost = policy.strategy === "messages" ? budget : Math.floor(budget / MESSAGE_OVERHEAD_TOKENS);
  const recent = await trimMessages(rest.slice(-Math.max(1, fitAtMost)), {
    maxTokens: budget,
    tokenCounter: policy.strategy === "messages" ? countMessages : estimateTokens,
    strategy: "last",
  });
  const newest = rest.at(-1);
  if (recent.length === 0 && newest) recent.push(newest);
  return [...pinned, ...recent];
}
