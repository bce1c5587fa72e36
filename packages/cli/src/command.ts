import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { UsageError } from "./exit-codes.js";
import type { CliIo } from "./io.js";

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

export interface Command {
  /** Words that select it, e.g. `templates add`. */
  name: string;
  summary: string;
  /** Usage line after `agentrt <name>`, e.g. `<package>[@range] [options]`. */
  usage: string;
  /** One line per option for `--help`, already aligned. */
  optionHelp: string[];
  options: ParseArgsOptionsConfig;
  positionals: { min: number; max: number };
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

export function defineCommand(command: Command): Command {
  return command;
}

export function commandHelp(command: Command): string {
  const options = [...command.optionHelp, "-h, --help               show this help"];
  return `${command.summary}\n\nUsage: agentrt ${command.name} ${command.usage}\n\nOptions:\n${options.map((o) => `  ${o}`).join("\n")}\n`;
}

/** Parses a command's arguments; every problem becomes a UsageError (exit code 2). */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const count = parsed.positionals.length;
  const { min, max } = command.positionals;
  if (count < min) throw new UsageError(`missing argument: agentrt ${command.name} ${command.usage}`);
  if (count > max) throw new UsageError(`unexpected argument: ${parsed.positionals[max]}`);
  return { values: parsed.values as OptionValues, positionals: parsed.positionals };
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

/** A JSON-valued flag such as `--config '{"a":1}'`. */
export function jsonOption(values: OptionValues, name: string): unknown {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw new UsageError(`--${name} is not valid JSON: ${(error as Error).message}`);
  }
}
