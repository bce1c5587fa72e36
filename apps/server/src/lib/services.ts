import type {
  Logger,
  RunEngine,
  Scheduler,
  Store,
  TemplateContext,
  TemplateRegistry,
  ValidateContext,
} from "@agentrt/core";
import type { ServerConfig } from "../env.js";
import type { KeyResolver } from "./auth.js";

/** What route factories get: everything built once at start-up. */
export interface AppServices {
  config: ServerConfig;
  store: Store;
  registry: TemplateRegistry;
  engine: RunEngine;
  scheduler: Scheduler;
  keys: KeyResolver;
  logger: Logger;
  /** The context a template sees: env, logger, its operator settings, shared services. */
  templateContext(templateName: string): TemplateContext;
  validateContext(templateName: string, phase: ValidateContext["phase"]): ValidateContext;
}
