import { describe, expect, it } from "vitest";
import { isCommonChatRequest } from "./common-request.js";
import { ChatCompletionRequestSchema } from "./openai.routes.js";

const user = { role: "user", content: "Hi" };
const common: unknown[] = [
  { model: "bot", messages: [user] },
  { model: "bot@3", messages: [{ role: "system", content: "" }, user], stream: true },
  { model: "b", messages: [user], stream: false, stream_options: { include_usage: true }, store: null },
  { model: "x".repeat(200), messages: [user], stream: null, stream_options: null, store: true },
  { model: "bot", messages: [user], stream_options: {} },
];
const uncommon: unknown[] = [
  null,
  [],
  "text",
  { messages: [user] },
  { model: "", messages: [user] },
  { model: "x".repeat(201), messages: [user] },
  { model: 7, messages: [user] },
  { model: "bot", messages: [] },
  { model: "bot", messages: {} },
  { model: "bot", messages: [{ role: "robot", content: "Hi" }] },
  { model: "bot", messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }] },
  { model: "bot", messages: [{ role: "user", content: "Hi", name: "ann" }] },
  { model: "bot", messages: [{ role: "user", content: null }] },
  { model: "bot", messages: [user], stream: "yes" },
  { model: "bot", messages: [user], stream_options: { include_usage: 1 } },
  { model: "bot", messages: [user], stream_options: { other: true } },
  { model: "bot", messages: [user], stream_options: [] },
  { model: "bot", messages: [user], temperature: 0.2 },
  { model: "bot", messages: [user], metadata: { thread_id: "t" } },
  JSON.parse('{"model":"bot","messages":[{"role":"user","content":"Hi"}],"__proto__":{"stream":1}}'),
];

describe("the common chat request shape", () => {
  it("is taken as it is only where zod would pass it unchanged", () => {
    for (const body of common) {
      expect(isCommonChatRequest(body), JSON.stringify(body)).toBe(true);
      const parsed = ChatCompletionRequestSchema.safeParse(body);
      expect(parsed.success).toBe(true);
      expect(parsed.data).toStrictEqual(body);
    }
  });

  it("leaves everything else to zod", () => {
    for (const body of uncommon) expect(isCommonChatRequest(body), JSON.stringify(body)).toBe(false);
  });

  it("keeps zod's answer for what it leaves", async () => {
    const bad = { model: "bot", messages: [{ role: "robot", content: "Hi" }] };
    const result = await ChatCompletionRequestSchema.safeParseAsync(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["messages", 0, "role"]);
  });
});
