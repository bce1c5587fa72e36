export {
  type ApiKeyRef,
  ApiKeyRefSchema,
  type KeyLookup,
  type KeySource,
  lookupApiKey,
} from "./api-key.js";
export {
  type ChatCapability,
  type ChatMessage,
  ChatMessageSchema,
  type ChatParam,
  type ChatParamPolicy,
  ChatParamSchema,
  type ChatParams,
  ChatParamsSchema,
  type ThreadMessage,
  ThreadMessageSchema,
  type ThreadsCapability,
  type ToolCall,
  ToolCallSchema,
  type ToolDefinition,
  ToolDefinitionSchema,
} from "./capabilities.js";
export {
  AgentrtError,
  type AgentrtErrorOptions,
  type AnyErrorCode,
  AnyErrorCodeSchema,
  ErrorCode,
  ErrorCodeSchema,
  type ErrorDeclaration,
  type ErrorDeclarations,
  errorCodes,
  type FieldIssue,
  FieldIssueSchema,
  isAgentrtError,
  isErrorCode,
  TEMPLATE_ERROR_CODE_PATTERN,
  toErrorInfo,
  toFieldIssues,
} from "./errors.js";
export { type RunError, RunErrorSchema, type TemplateEvent, TemplateEventSchema } from "./events.js";
export {
  checkCoreApi,
  isTemplatePackage,
  type PackageManifest,
  parseTemplateManifest,
  TEMPLATE_KEYWORD,
  type TemplateManifest,
} from "./manifest.js";
export {
  type AttributeSink,
  type ModelCall,
  type ModelCallAttributeValue,
  setModelCallAttributes,
} from "./model-call.js";
export {
  type AgentDescription,
  type AgentDirectory,
  type CheckpointSaver,
  coreServices,
  createServiceRef,
  isServiceRef,
  optionalService,
  type SecretStore,
  type ServiceRef,
  type ServiceRefs,
  type ServiceValues,
} from "./services.js";
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
