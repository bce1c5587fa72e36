import { defineTemplate } from "@agentrt/core";
import { CustomConfigSchema } from "./config-schema.js";
import { CUSTOM_ERRORS } from "./errors.js";

export {
  type CustomConfig,
  CustomConfigSchema,
  type ResolvedCode,
  ResolvedCodeSchema,
  type StoredCustomConfig,
} from "./config-schema.js";
export { CUSTOM_ERRORS, CustomErrorCode } from "./errors.js";
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
  // The version and the core API range are read by the host from package.json.
  name: "custom",
  description: "Runs user code (JavaScript, TypeScript or Python) in a hardened sandbox",
  configSchema: CustomConfigSchema,
  // Clients see these as `custom.<CODE>` with the declared HTTP status. No `services`: the template
  // reads no secrets and uses no other host service.
  errors: CUSTOM_ERRORS,
  validate: async (config, ctx) => (await loadConfigHooks()).validateConfig(config, ctx),
  resolveConfig: async (config, ctx) => (await loadConfigHooks()).resolveConfig(config, ctx),
  create: async (config, ctx) => (await loadInstanceModule()).createCustomInstance(config, ctx),
});
