import type { RunContext, TemplateEvent, ToolCall } from "@agentrt/core";
import type { ChatMessage } from "./input-schema.js";
import type { ServerTool } from "./server-tools.js";

export interface ToolLimits {
  timeoutMs: number;
  maxResultChars: number;
}

interface Outcome {
  ok: boolean;
  result: string;
}

function toText(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "null";
}

/** A result cut to the limit, saying so, so the model knows it saw only the start. */
export function boundResult(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n[cut: the result had ${text.length} characters, the first ${maxChars} are shown]`;
}

/** Settles with `work`, or rejects when `signal` fires first: a tool that ignores its signal is left behind. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * One call: the tool's answer, or its failure as text for the model (unknown tool, bad arguments,
 * error, timeout) — a tool failure is the model's to handle, not the run's. Cancelling the run
 * aborts the call and throws.
 */
async function runCall(
  call: ToolCall,
  tool: ServerTool | undefined,
  runCtx: RunContext,
  limits: ToolLimits,
): Promise<Outcome> {
  if (!tool) return { ok: false, result: `error: there is no tool named "${call.function.name}"` };
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error("timeout")), limits.timeoutMs);
  const signal = AbortSignal.any([runCtx.signal, timeout.signal]);
  try {
    const value = await untilAborted(
      Promise.resolve().then(() => tool.run(call.function.arguments, runCtx, signal)),
      signal,
    );
    return { ok: true, result: boundResult(toText(value), limits.maxResultChars) };
  } catch (error) {
    if (runCtx.signal.aborted) throw runCtx.signal.reason;
    const why = timeout.signal.aborted
      ? `the tool did not answer within ${limits.timeoutMs} ms`
      : error instanceof Error
        ? error.message
        : String(error);
    return { ok: false, result: boundResult(`error: ${why}`, limits.maxResultChars) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the server-side calls of one model reply in parallel: a `tool.call` event per call, then a
 * `tool.result` per call in call order, and returns the tool messages for the history.
 */
export async function* runToolCalls(
  calls: ToolCall[],
  tools: ReadonlyMap<string, ServerTool>,
  runCtx: RunContext,
  limits: ToolLimits,
): AsyncGenerator<TemplateEvent, ChatMessage[]> {
  for (const call of calls) {
    yield {
      type: "tool.call",
      callId: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    };
  }
  const outcomes = await Promise.all(
    calls.map((call) => runCall(call, tools.get(call.function.name), runCtx, limits)),
  );
  const messages: ChatMessage[] = [];
  for (const [i, call] of calls.entries()) {
    const { ok, result } = outcomes[i]!;
    yield { type: "tool.result", callId: call.id, name: call.function.name, ok, result };
    messages.push({ role: "tool", content: result, tool_call_id: call.id });
  }
  return messages;
}
