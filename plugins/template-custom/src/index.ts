import { defineTemplate } from "@agentrt/core";
import pkg from "../package.json" with { type: "json" };
import { CustomConfigSchema } from "./config-schema.js";

export {
  type CustomConfig,
  CustomConfigSchema,
  type ResolvedCode,
  ResolvedCodeSchema,
  type StoredCustomConfig,
} from "./config-schema.js";
export {
  type CustomSettings,
  CustomSettingsSchema,
  parseCustomSettings,
  SandboxLimitsSettingsSchema,
} from "./settings.js";

// The server imports every template at start. The sandbox (esbuild, worker pools) and the code
// loaders (https, tls, dns) wait until an agent is validated or created; each module loads once.
let configHooks: Promise<typeof import("./resolve-config.js")> | undefined;
let instanceModule: Promise<typeof import("./create-instance.js")> | undefined;
const loadConfigHooks = () => (configHooks ??= import("./resolve-config.js"));
const loadInstanceModule = () => (instanceModule ??= import("./create-instance.js"));

export default defineTemplate({
  name: "custom",
  version: pkg.version,
  coreApi: pkg.agentrt.coreApi,
  description: "Runs user code (JavaScript, TypeScript or Python) in a hardened sandbox",
  configSchema: CustomConfigSchema,
  validate: async (config, ctx) => (await loadConfigHooks()).validateConfig(config, ctx),
  resolveConfig: async (config, ctx) => (await loadConfigHooks()).resolveConfig(config, ctx),
  create: async (config, ctx) => (await loadInstanceModule()).createCustomInstance(config, ctx),
});
