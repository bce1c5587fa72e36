import type { MemoryPolicy } from "./config-schema.js";
import type { ChatMessage } from "./input-schema.js";

/** Tokens OpenAI's chat format spends on each message besides its text. */
const MESSAGE_OVERHEAD_TOKENS = 4;

function messageTokens(message: ChatMessage): number {
  let chars = message.content.length;
  if (message.role === "assistant") {
    for (const call of message.tool_calls ?? [])
      chars += call.function.name.length + call.function.arguments.length;
  }
  return Math.ceil(chars / 4) + MESSAGE_OVERHEAD_TOKENS;
}

/**
 * Rough token count: about 4 characters per token plus per-message overhead. Deliberately not
 * tiktoken: LangChain fetches its encodings over the network, and providers tokenise differently.
 */
export function estimateTokens(messages: ChatMessage[]): number {
  let total = 0;
  for (const message of messages) total += messageTokens(message);
  return total;
}

/** How many of the newest messages fit: a count, or as many as the token budget holds. */
function recentCount(messages: ChatMessage[], policy: MemoryPolicy, pinned: ChatMessage[]): number {
  if (policy.strategy === "messages") return Math.min(policy.maxMessages, messages.length);
  const budget = policy.maxTokens! - estimateTokens(pinned);
  let used = 0;
  let count = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    used += messageTokens(messages[i]!);
    if (used > budget) break;
    count++;
  }
  return count;
}

/**
 * What the model sees for one turn: the configured system prompt, a system message that opens the
 * history, then the most recent messages that fit the memory policy. Oldest messages go first; the
 * newest message is always sent, even when it alone exceeds a token budget. Tool results are never
 * cut off from the assistant message whose calls they answer (providers refuse an orphaned tool
 * message), so the window may reach back past the policy for that message. Thread runs and
 * stateless runs both go through here, so they trim alike.
 */
export function buildModelInput(
  history: ChatMessage[],
  policy: MemoryPolicy,
  systemPrompt: string | undefined,
): ChatMessage[] {
  const pinned: ChatMessage[] = systemPrompt ? [{ role: "system", content: systemPrompt }] : [];
  const opensWithSystem = history[0]?.role === "system";
  if (opensWithSystem) pinned.push(history[0]!);
  const rest = opensWithSystem ? history.slice(1) : history;
  let start = rest.length - Math.max(rest.length > 0 ? 1 : 0, recentCount(rest, policy, pinned));
  while (start > 0 && rest[start]?.role === "tool") start--;
  return start >= rest.length ? pinned : [...pinned, ...rest.slice(start)];
}
