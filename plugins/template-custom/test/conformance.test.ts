import { testTemplateConformance } from "@agentrt/testing";
import template from "../src/index.js";

const code = `
export async function main(input, ctx) {
  if (input && input.slow) await new Promise((resolve) => setTimeout(resolve, 20000));
  ctx.log("hello from the sandbox");
  return { echo: input };
}`;

// The same kit third-party templates run: brand, schema, defaults, invalid configs, a real sandboxed
// run, cancellation through the signal, and dispose closing the sandbox pool.
testTemplateConformance(template, {
  validConfig: { type: "inline", language: "javascript", content: code, timeout: 30 },
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
  runInput: { n: 1 },
  slowRunInput: { slow: true },
  cancelWithinMs: 2000,
  context: { settings: { limits: { timeoutMs: 30_000 } } },
});
