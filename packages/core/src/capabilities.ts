import { z } from "zod";
import type { ServiceRefs } from "./services.js";
import type { TemplateContext } from "./template.js";

/** A chat message as hosts hand it to templates: OpenAI's roles, content already reduced to text. */
export const ChatMessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** One message of a thread's transcript, as `GET /v1/threads/{id}/messages` shows it. */
export const ThreadMessageSchema = z.object({
  id: z.string().nullable(),
  role: z.enum(["user", "assistant", "system", "tool"]),
  content: z.string(),
});
export type ThreadMessage = z.infer<typeof ThreadMessageSchema>;

/**
 * The template speaks chat: the host's OpenAI-compatible API turns chat messages into this
 * template's run input and its output into the reply. Without it, agents get the last user
 * message's text and their output is shown as text (JSON for anything but a string).
 */
export interface ChatCapability {
  /**
   * The run input for a chat request. On a thread (`threadId` set) the thread already holds the
   * earlier turns. Throw `VALIDATION_FAILED` with issue paths like `["messages", 2, "role"]`.
   */
  toInput(messages: ChatMessage[], options: { threadId: string | undefined }): unknown;
  /** The assistant's reply text in a succeeded run's output. */
  replyText(output: unknown): string;
}

/** The template keeps thread memory: the host reads and deletes it through the template. */
export interface ThreadsCapability<Services extends ServiceRefs = ServiceRefs> {
  /** The thread's transcript, oldest first; empty when nothing ran on it. */
  messages(threadId: string, ctx: TemplateContext<Services>): Promise<ThreadMessage[]>;
  /** Forgets the thread; called after its runs ended. Deleting an unknown thread is not an error. */
  delete(threadId: string, ctx: TemplateContext<Services>): Promise<void>;
}
