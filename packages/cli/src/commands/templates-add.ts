import { resolve } from "node:path";
import { defineCommand, stringOption } from "../command.js";
import { EXIT_OK } from "../exit-codes.js";
import { checkRegistryTemplate } from "../npm/check-registry-template.js";
import { detectPackageManager, parsePackageManager, runInstall } from "../npm/package-manager.js";
import { parsePackageSpec } from "../npm/package-spec.js";
import { fetchPackument, pickVersion } from "../npm/packument.js";
import { resolveRegistry } from "../npm/registry-url.js";

export const templatesAddCommand = defineCommand({
  name: "templates add",
  summary:
    "Install a template into the host app, after checking its registry metadata (refused when incompatible)",
  usage: "<package>[@range] [options]",
  optionHelp: [
    "--dir <path>             the host app (default: current directory)",
    "--registry <url>         npm registry (default: npm_config_registry, .npmrc, registry.npmjs.org)",
    "--pm <pnpm|npm|yarn>     package manager (default: detected from the lockfile)",
    "--dry-run                check only; install nothing",
  ],
  options: {
    dir: { type: "string" },
    registry: { type: "string" },
    pm: { type: "string" },
    "dry-run": { type: "boolean" },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const spec = parsePackageSpec(positionals[0]!);
    const dir = resolve(io.cwd, stringOption(values, "dir") ?? ".");
    const pmFlag = stringOption(values, "pm");
    const pm = pmFlag ? parsePackageManager(pmFlag) : detectPackageManager(dir);
    const registryFlag = stringOption(values, "registry");
    const registry = resolveRegistry({ packageName: spec.name, flag: registryFlag, env: io.env, dir });

    // Everything is decided from the registry's metadata before anything touches node_modules.
    const manifest = pickVersion(await fetchPackument(registry, spec.name), spec.range);
    const template = checkRegistryTemplate(manifest);
    const exact = `${template.packageName}@${template.packageVersion}`;
    io.stdout(`${exact} is a compatible template (coreApi ${template.coreApi})\n`);
    if (values["dry-run"]) return EXIT_OK;

    io.stdout(`Installing ${exact} with ${pm} in ${dir}\n`);
    await runInstall({
      pm,
      spec: exact,
      dir,
      registry: registryFlag ? registry : undefined,
      env: io.env,
      stdout: io.stdout,
      stderr: io.stderr,
    });
    io.stdout(`Added ${exact}; restart the server to load it.\n`);
    return EXIT_OK;
  },
});
