import { resolve } from "node:path";
import { defineCommand, stringOption } from "../command.js";
import { EXIT_OK } from "../exit-codes.js";
import { hostCoreApi } from "../npm/host-core-api.js";
import { detectPackageManager, parsePackageManager, runInstall } from "../npm/package-manager.js";
import { installSpec, parsePackageSpec } from "../npm/package-spec.js";
import { fetchPackument } from "../npm/packument.js";
import { pickTemplateVersion } from "../npm/pick-template-version.js";
import { registryAuthorization, resolveRegistry } from "../npm/registry-url.js";

export const templatesAddCommand = defineCommand({
  name: "templates add",
  summary:
    "Install a template into the host app: the highest version its server supports, checked before installing",
  usage: "<package>[@range] | <alias>@npm:<package>[@range] [options]",
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
    const packument = await fetchPackument(registry, spec.name, registryAuthorization(registry, io.env, dir));
    const core = await hostCoreApi(dir);
    const { template, passedOver } = pickTemplateVersion(packument, spec.range, core.version);
    const exact = `${template.packageName}@${template.packageVersion}`;
    if (passedOver) {
      io.stdout(
        `${template.packageName}@${passedOver.version} does not fit this host: ${passedOver.reason}\n` +
          `Picking ${template.packageVersion}, the highest version${spec.range ? ` matching ${spec.range}` : ""} that supports core API ${core.version} (from ${core.source}).\n`,
      );
    }
    io.stdout(
      `${exact} is a compatible template (coreApi ${template.coreApi}; this host's core API is ${core.version})\n`,
    );
    if (values["dry-run"]) return EXIT_OK;

    io.stdout(`Installing ${exact} with ${pm} in ${dir}\n`);
    await runInstall({
      pm,
      spec: installSpec(spec, template.packageVersion),
      dir,
      registry: registryFlag ? registry : undefined,
      env: io.env,
      stdout: io.stdout,
      stderr: io.stderr,
    });
    io.stdout(`Added ${spec.alias ? `${spec.alias} (${exact})` : exact}; restart the server to load it.\n`);
    return EXIT_OK;
  },
});
