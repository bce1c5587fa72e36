import { testTemplateConformance } from "@agentrt/testing";

const code = `
export async function main(input, ctx) {
  if (input && input.slow) await new Promise((resolve) => setTimeout(resolve, 20000));
  ctx.log("hello from the sandbox");
  return { echo: input };
}`;

// The same kit third-party templates run, on the built package as discovery loads it (build first):
// manifest and core range, brand, error declarations, schema, defaults, invalid configs, a real
// sandboxed run, cancellation through the signal, and dispose closing the sandbox pool.
testTemplateConformance(new URL("..", import.meta.url), {
  config: { type: "inline", language: "javascript", content: code, timeout: 30 },
  expectedDefaults: { entryPoint: "main", dependencies: [] },
  invalidConfigs: [
    { config: { type: "inline", language: "cobol", content: code }, path: ["language"] },
    { config: { type: "inline", language: "javascript", content: code, timeout: 0 }, path: ["timeout"] },
    {
      config: { type: "inline", language: "javascript", content: "export function main( {" },
      path: ["content"],
    },
    {
      config: { type: "inline", language: "javascript", content: code, entryPoint: "nope" },
      path: ["entryPoint"],
    },
  ],
  input: { n: 1 },
  slowInput: { slow: true },
  cancelWithinMs: 2000,
  context: { settings: { limits: { timeoutMs: 30_000 } } },
});
