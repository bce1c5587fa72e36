/** A tool call's arguments (JSON text from the model) as the object every function tool takes. */
export function parseArguments(args: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(args || "{}");
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error("the arguments are not a JSON object");
  }
  return parsed as Record<string, unknown>;
}
