import type { Logger, Template, TemplateContext, ValidateContext } from "@agentrt/core";

/** How the host provides each service it offers, by service id; called when a template first uses it. */
export type ServiceProviders = Readonly<Record<string, () => unknown>>;

export interface TemplateContexts {
  /** Ids of the services this host provides (discovery refuses templates that need others). */
  readonly serviceIds: ReadonlySet<string>;
  /** The context a template sees: env, logger, its operator settings, the services it declared. */
  forTemplate(template: Template): TemplateContext;
  forValidation(template: Template, phase: ValidateContext["phase"]): ValidateContext;
}

export interface TemplateContextOptions {
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** Operator settings by template name. */
  settings?: Readonly<Record<string, unknown>>;
  services: ServiceProviders;
}

/**
 * Builds each template's context once (per template object) and hands it only the services it
 * declared, each read on first access so a costly one (LangGraph's checkpointer) loads only when used.
 */
export function createTemplateContexts(options: TemplateContextOptions): TemplateContexts {
  const contexts = new WeakMap<Template, TemplateContext>();

  function servicesOf(template: Template): TemplateContext["services"] {
    const services = {};
    for (const [key, ref] of Object.entries(template.services ?? {})) {
      const provide = options.services[ref.id];
      Object.defineProperty(services, key, { enumerable: true, get: () => provide?.() });
    }
    return Object.freeze(services);
  }

  function forTemplate(template: Template): TemplateContext {
    let context = contexts.get(template);
    if (!context) {
      context = Object.freeze({
        env: options.env,
        logger: options.logger,
        settings: (options.settings?.[template.name] as Record<string, unknown> | undefined) ?? {},
        services: servicesOf(template),
      });
      contexts.set(template, context);
    }
    return context;
  }

  return {
    serviceIds: new Set(Object.keys(options.services)),
    forTemplate,
    forValidation: (template, phase) => ({ ...forTemplate(template), phase }),
  };
}
