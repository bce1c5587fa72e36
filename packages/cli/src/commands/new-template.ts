import { relative } from "node:path";
import { defineCommand, stringOption } from "../command.js";
import { EXIT_OK } from "../exit-codes.js";
import { scaffoldTemplate } from "../scaffold/scaffold-template.js";

export const newTemplateCommand = defineCommand({
  name: "new template",
  summary: "Create a template package: metadata, zod config schema, example agent, conformance tests",
  usage: "<name> [options]",
  optionHelp: [
    "--dir <path>             where to create it (default ./<name>)",
    "--core-version <range>   range for the @agentrt/core and @agentrt/testing dependencies",
    "                         (default: the coreApi range ^<contract major>.0.0, and testing's ^version)",
  ],
  options: { dir: { type: "string" }, "core-version": { type: "string" } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const result = scaffoldTemplate({
      name: positionals[0]!,
      cwd: io.cwd,
      dir: stringOption(values, "dir"),
      coreVersion: stringOption(values, "core-version"),
    });
    const where = relative(io.cwd, result.dir) || ".";
    io.stdout(
      `Created ${result.packageName} (template "${result.templateName}") in ${where}\n\n` +
        `Next:\n  cd ${where}\n  pnpm install\n  pnpm build && pnpm test\n`,
    );
    return EXIT_OK;
  },
});
