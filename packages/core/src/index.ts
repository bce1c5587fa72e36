export {
  type ApiKeyRef,
  ApiKeyRefSchema,
  type KeyLookup,
  type KeySource,
  lookupApiKey,
  type SecretStore,
} from "./api-key.js";
export { checkCoreApi } from "./compat.js";
export { configJsonSchema, migrateConfig, parseRunInput, validateAgentConfig } from "./config.js";
export {
  checkManifestText,
  type DiscoveryOptions,
  type DiscoveryResult,
  discoverTemplates,
  type LoadedTemplate,
  loadTemplateModule,
  type ManifestCache,
  type ManifestVerdict,
  type RejectedTemplate,
  readTemplateManifest,
  TEMPLATE_KEYWORD,
  type TemplateManifest,
} from "./discovery.js";
export { type DiscoveryCache, type DiscoveryCacheStats, loadDiscoveryCache } from "./discovery-cache.js";
export { canonicalJson } from "./engine/canonical-json.js";
export {
  createRunEngine,
  type RunEngine,
  type RunEngineOptions,
  type SubmitRunOptions,
} from "./engine/run-engine.js";
export { nextFireTime, parseSchedule } from "./engine/schedule-time.js";
export { createScheduler, type Scheduler, type SchedulerOptions } from "./engine/scheduler.js";
export {
  SIGNATURE_HEADER,
  signWebhookBody,
  TIMESTAMP_HEADER,
  type WebhookOptions,
  webhookPayload,
} from "./engine/webhooks.js";
export {
  AgentrtError,
  type AgentrtErrorOptions,
  ErrorCode,
  type FieldIssue,
  isAgentrtError,
  isErrorCode,
  toErrorInfo,
} from "./errors.js";
export * from "./events.js";
export { createId, nowIso } from "./ids.js";
export { createMemoryStore } from "./memory-store.js";
export {
  createTemplateRegistry,
  parseTemplateRef,
  type TemplateRef,
  type TemplateRegistry,
} from "./registry.js";
export type * from "./store.js";
export { API_KEY_SCOPES } from "./store.js";
export {
  type AgentInstance,
  type ConfigMigration,
  defineTemplate,
  isTemplate,
  type Logger,
  type RunContext,
  TEMPLATE_BRAND,
  type Template,
  type TemplateContext,
  type TemplateDefinition,
  type ValidateContext,
} from "./template.js";
export { CORE_API_VERSION, TEMPLATE_SPEC_VERSION } from "./version.js";
