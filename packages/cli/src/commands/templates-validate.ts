import { resolve } from "node:path";
import { defineCommand, jsonOption, stringOption } from "../command.js";
import { readConformanceInputs } from "../conformance/conformance-inputs.js";
import { locatePackage } from "../conformance/locate-package.js";
import { type CheckResult, runConformanceChecks } from "../conformance/run-checks.js";
import { EXIT_FAILURE, EXIT_OK } from "../exit-codes.js";
import { hintFor } from "../hints.js";

function formatFailure(result: CheckResult): string {
  const hint = hintFor(result.code);
  return (
    `  ✗ ${result.name}\n      ${result.code ? `${result.code}: ` : ""}${result.message}` +
    (hint ? `\n      ${hint}` : "")
  );
}

function formatResults(packageDir: string, results: CheckResult[]): string {
  const failed = results.filter((r) => !r.ok).length;
  const lines = results.map((r) => (r.ok ? `  ✓ ${r.name}` : formatFailure(r)));
  return `Conformance of ${packageDir}\n${lines.join("\n")}\n\n${results.length - failed} passed, ${failed} failed\n`;
}

export const templatesValidateCommand = defineCommand({
  name: "templates validate",
  summary: "Run the template conformance checks on a template package (a directory or an installed package)",
  usage: "<dir|package> [options]",
  optionHelp: [
    "--config <json>          agent config to check with (default: package.json agentrt.conformance.config)",
    "--input <json>           run input (default: agentrt.conformance.input)",
    "--dir <path>             host app to resolve a package name from (default: current directory)",
    "--json                   print JSON",
  ],
  options: {
    config: { type: "string" },
    input: { type: "string" },
    dir: { type: "string" },
    json: { type: "boolean" },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const hostDir = resolve(io.cwd, stringOption(values, "dir") ?? ".");
    const packageDir = locatePackage(positionals[0]!, io.cwd, hostDir);
    const inputs = readConformanceInputs(packageDir, {
      config: jsonOption(values, "config"),
      input: jsonOption(values, "input"),
      env: io.env,
    });
    const results = await runConformanceChecks(packageDir, inputs);
    const ok = results.every((r) => r.ok);
    io.stdout(
      values.json
        ? `${JSON.stringify({ packageDir, ok, checks: results }, null, 2)}\n`
        : formatResults(packageDir, results),
    );
    return ok ? EXIT_OK : EXIT_FAILURE;
  },
});
