export type { AgentCache } from "./app/agent-cache.js";
export { createAgentDirectory } from "./app/agent-directory.js";
export {
  type AgentAdmission,
  type AgentLimitsChange,
  applyLimits,
  createAgentAdmission,
} from "./app/agent-limits.js";
export type { AgentChanges, AgentUseCases, NewAgentRequest, UpgradeResult } from "./app/agents.js";
export {
  type ChatRequest,
  type ChatRun,
  type ChatStart,
  type ChatUseCases,
  modelNotFound,
  type PreparedChat,
  plainTextChat,
} from "./app/chat.js";
export {
  createTemplateContexts,
  type ServiceProviders,
  type TemplateContextOptions,
  type TemplateContexts,
} from "./app/contexts.js";
export type { ResponseFormat } from "./app/reply-format.js";
export {
  type MultitaskStrategy,
  MultitaskStrategySchema,
  type RunSubmission,
  type RunUseCases,
} from "./app/runs.js";
export type { NewScheduleInput, ScheduleChanges, ScheduleUseCases } from "./app/schedules.js";
export type { ThreadUseCases } from "./app/threads.js";
export type { UsageStats, UsageUseCases } from "./app/usage.js";
export {
  configJsonSchema,
  inputJsonSchema,
  migrateConfig,
  parseRunInput,
  validateAgentConfig,
} from "./config.js";
export {
  checkManifestText,
  type DiscoveryOptions,
  type DiscoveryResult,
  discoverTemplates,
  type InstalledManifest,
  type LoadedTemplate,
  loadTemplateModule,
  type ManifestCache,
  type ManifestVerdict,
  type RejectedTemplate,
  readTemplateManifest,
} from "./discovery.js";
export { type DiscoveryCache, type DiscoveryCacheStats, loadDiscoveryCache } from "./discovery-cache.js";
export { canonicalJson } from "./engine/canonical-json.js";
export { CACHE_MAX_AGE_MS, createInvalidations, type Invalidations } from "./engine/invalidations.js";
export {
  currentLogFields,
  type LogFields,
  restoreLogFields,
  silentLogger,
  withLogFields,
} from "./engine/logging.js";
export {
  createRunEngine,
  type ExecuteOptions,
  type PreparedRun,
  type RunEngine,
  type RunEngineOptions,
  type SubmitRunOptions,
  type UnstoredRun,
} from "./engine/run-engine.js";
export {
  combineObservers,
  type RunEnding,
  type RunInfo,
  type RunObserver,
  type WebhookOutcome,
} from "./engine/run-telemetry.js";
export { nextFireTime, parseSchedule } from "./engine/schedule-time.js";
export { createScheduler, type Scheduler, type SchedulerOptions } from "./engine/scheduler.js";
export {
  createWebhookSigner,
  RUN_FINISHED_EVENT,
  type WebhookOptions,
  webhookHeaders,
  webhookPayload,
} from "./engine/webhooks.js";
export { createId, nowIso } from "./ids.js";
export { type InstalledTemplate, installTemplate } from "./installed-template.js";
export { createMemoryStore } from "./memory-store.js";
export {
  createMemoryRateCounters,
  createRateCounters,
  type LimiterFactory,
  type RateCounter,
  type RateCounterSpec,
  type RateCounters,
  type RateDecision,
} from "./rate-counters.js";
export {
  createTemplateRegistry,
  parseTemplateRef,
  type TemplateRef,
  type TemplateRegistry,
} from "./registry.js";
export {
  COMPACTED_EVENT_TYPES,
  DurationSchema,
  effectivePolicy,
  NO_RETENTION,
  parseDuration,
  type RetentionOverride,
  RetentionOverrideSchema,
  type RetentionPolicy,
} from "./retention/policy.js";
export {
  createRetentionPruner,
  type RetentionOptions,
  type RetentionPruner,
  type RetentionStats,
} from "./retention/pruner.js";
export * from "./run-events.js";
export { createRuntime, type Runtime, type RuntimeOptions } from "./runtime.js";
export type * from "./store.js";
export {
  API_KEY_SCOPES,
  INVALIDATION_KINDS,
  NO_AGENT_LIMITS,
  RunHeldElsewhere,
  SCHEDULE_OVERLAPS,
  UNSTORED_RUNS_KEPT_MS,
} from "./store.js";
export { openStore, parseStoreLocation, type StoreDrivers, type StoreLocation } from "./store-factory.js";
export * from "./store-records.js";
export { checkErrorDeclarations, isReportableCode, qualifyError } from "./template-errors.js";
