import { testTemplateConformance } from "@agentrt/testing";
import { afterAll } from "vitest";
import { sendJson, startUpstreamServer } from "./upstream-server.js";

// The suite registers its tests synchronously, so the server must be listening first.
const upstream = await startUpstreamServer((req, res) => {
  if (req.path === "/ok") sendJson(res, 200, { ok: true });
  // "/hang" never answers: the cancellation check must abort the request.
});
afterAll(() => upstream.close());

const wait = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: "wait",
  seconds: 0,
  ...extra,
});

// Loads the built package (`npx tsup`) the way discovery does, then checks it.
testTemplateConformance(new URL("..", import.meta.url), {
  config: {
    steps: [
      { id: "call", kind: "http", url: "{{input.url}}" },
      { id: "shape", kind: "transform", pick: "steps.call.output.ok" },
    ],
  },
  expectedDefaults: {
    stepTimeout: 60,
    retryCount: 0,
    retryBackoffMs: 200,
    parallelExecution: false,
    strictMode: true,
    outputFormat: "structured",
    maxResponseBytes: 1024 * 1024,
  },
  invalidConfigs: [
    { config: { steps: [] }, path: ["steps"] },
    { config: { steps: [wait("a")], stepTimeout: 5 }, path: ["stepTimeout"] },
    { config: { steps: [wait("a")], retryCount: 9 }, path: ["retryCount"] },
    { config: { steps: [wait("a"), wait("a")] }, path: ["steps", 1, "id"] },
    {
      config: { steps: [wait("a"), wait("b"), wait("c", { dependsOn: ["zz"] })] },
      path: ["steps", 2, "dependsOn", 0],
    },
    {
      config: { steps: [wait("a", { dependsOn: ["b"] }), wait("b", { dependsOn: ["a"] })] },
      path: ["steps", 1, "dependsOn", 0],
    },
    {
      config: { steps: [{ id: "t", kind: "transform", template: "{{steps.x.output}}" }] },
      path: ["steps", 0, "template"],
    },
    { config: { steps: [{ id: "h", kind: "http" }] }, path: ["steps", 0, "url"] },
  ],
  input: { url: `${upstream.url}/ok` },
  slowInput: { url: `${upstream.url}/hang` },
  // The upstream listens on 127.0.0.1: the operator setting allows exactly that internal address.
  context: { settings: { allowInternal: ["127.0.0.1"] } },
});
