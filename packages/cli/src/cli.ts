import { createRequire } from "node:module";
import { isAgentrtError } from "@agentrt/core";
import { type Command, commandHelp, parseCommandArgs } from "./command.js";
import { newTemplateCommand } from "./commands/new-template.js";
import { devCommand, serveCommand } from "./commands/serve.js";
import { templatesAddCommand } from "./commands/templates-add.js";
import { templatesListCommand } from "./commands/templates-list.js";
import { templatesValidateCommand } from "./commands/templates-validate.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./exit-codes.js";
import { hintFor } from "./hints.js";
import { type CliIo, processIo } from "./io.js";

export const COMMANDS: readonly Command[] = [
  serveCommand,
  devCommand,
  templatesListCommand,
  templatesValidateCommand,
  templatesAddCommand,
  newTemplateCommand,
];

const CLI_VERSION = (createRequire(import.meta.url)("../package.json") as { version: string }).version;

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const rows = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return (
    `agentrt ${CLI_VERSION}: run and develop agentrt agent templates\n\n` +
    `Usage: agentrt <command> [options]\n\nCommands:\n${rows.join("\n")}\n\n` +
    "Run `agentrt <command> --help` for a command's options.\n" +
    "Exit codes: 0 ok, 1 failure, 2 usage error.\n"
  );
}

/** The command named by the first one or two words, e.g. `serve` or `templates add`. */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(" ");
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(words) };
  }
  return undefined;
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr(`agentrt: ${error.message}\nRun \`agentrt --help\` for usage.\n`);
    return EXIT_USAGE;
  }
  if (isAgentrtError(error)) {
    const hint = hintFor(error.code);
    io.stderr(`agentrt: ${error.code}: ${error.message}\n${hint ? `  ${hint}\n` : ""}`);
  } else io.stderr(`agentrt: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT_FAILURE;
}

/** Runs one CLI invocation and returns its exit code (0 ok, 1 failure, 2 usage error). */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [first] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    io.stdout(globalHelp());
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === "--version" || first === "-v") {
    io.stdout(`${CLI_VERSION}\n`);
    return EXIT_OK;
  }
  const found = findCommand(argv);
  if (!found) {
    io.stderr(`agentrt: unknown command "${argv.slice(0, 2).join(" ")}"\n\n${globalHelp()}`);
    return EXIT_USAGE;
  }
  const { command, rest } = found;
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(commandHelp(command));
    return EXIT_OK;
  }
  try {
    return await command.run(parseCommandArgs(command, rest), io);
  } catch (error) {
    return reportError(error, io);
  }
}
