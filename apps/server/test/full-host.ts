import { createRequire } from "node:module";
import { dirname } from "node:path";
import { createTestHost, serverDir } from "./helpers.js";

const packageDir = (name: string) =>
  dirname(createRequire(`${serverDir}/package.json`).resolve(`${name}/package.json`));

/** A host with the fixture templates and every first-party template (conversation, task, custom). */
export function createFullHost(): string {
  return createTestHost({
    "@agentrt/template-conversation": packageDir("@agentrt/template-conversation"),
    "@agentrt/template-task": packageDir("@agentrt/template-task"),
    "@agentrt/template-custom": packageDir("@agentrt/template-custom"),
  });
}
