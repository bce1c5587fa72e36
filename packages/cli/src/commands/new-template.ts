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
    "--agentrt <checkout>     link mode: depend on a local, built agentrt checkout's packages (file:),",
    "                         to build and test with no registry (install with npm)",
  ],
  options: { dir: { type: "string" }, "core-version": { type: "string" }, agentrt: { type: "string" } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const result = scaffoldTemplate({
      name: positionals[0]!,
      cwd: io.cwd,
      dir: stringOption(values, "dir"),
      coreVersion: stringOption(values, "core-version"),
      agentrt: stringOption(values, "agentrt"),
    });
    const where = relative(io.cwd, result.dir) || ".";
    const linked = values.agentrt !== undefined;
    io.stdout(
      `Created ${result.packageName} (template "${result.templateName}") in ${where}` +
        (linked ? `, linked to the agentrt checkout at ${stringOption(values, "agentrt")}` : "") +
        `\n\nNext:\n  cd ${where}\n  npm install\n  npm test                    # build, conformance checks, migration test\n` +
        "  npx agentrt dev --watch .   # a local server that reloads the template on every save\n" +
        (linked
          ? ""
          : "\nnpm install needs the @agentrt/* packages on your registry. Without them: run\n" +
            "`npx -y pnpm@10.34.9 registry` in an agentrt checkout (a local registry; it prints the\n" +
            "line for .npmrc), or scaffold with --agentrt <checkout> to link one.\n"),
    );
    return EXIT_OK;
  },
});
