export { collectEvents } from "./collect-events.js";
export {
  checkConfigDefaults,
  checkConfigJsonSchema,
  checkInvalidConfig,
  checkMigrations,
  checkValidConfig,
  validateConfig,
} from "./conformance/config-checks.js";
export {
  type ConformanceCheck,
  conformanceChecks,
  loadTemplatePackage,
} from "./conformance/conformance-checks.js";
export type { ConformanceInputs } from "./conformance/conformance-inputs.js";
export { checkTemplateBrand, checkTemplateErrors, checkTemplateName } from "./conformance/metadata-checks.js";
export {
  type CancellationOptions,
  checkCancellation,
  checkDispose,
  checkRun,
  checkRunEvents,
  createCheckedInstance,
  isAbortError,
} from "./conformance/run-checks.js";
export { testTemplateConformance } from "./conformance/test-template-conformance.js";
export { entryImports } from "./entry-imports.js";
export {
  createFakeModelServer,
  type FakeModelServer,
  type FakeModelServerOptions,
  type FakeReply,
  type FakeToolCall,
  type RecordedRequest,
} from "./fake-model-server.js";
export { createNoopLogger } from "./logger.js";
export type { ChatCompletionRequestBody, ChatMessage } from "./openai-shapes.js";
export { createTestRunContext, createTestTemplateContext, type TestRunContext } from "./run-context.js";
export { createTestCertificate, type TestCertificate } from "./test-certificate.js";
