import { isTemplate, TEMPLATE_SPEC_VERSION, type Template } from "@agentrt/core";
import { checkErrorDeclarations } from "@agentrt/runtime";

/** The rule discovery applies to template names: a lower-case slug of at most 63 characters. */
const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The value is a template made with `defineTemplate` (brand) of a spec version this core understands. */
export function checkTemplateBrand(template: unknown): asserts template is Template {
  if (!isTemplate(template)) {
    throw new Error(
      "not a template made with defineTemplate(): isTemplate() is false (check $$type, name, configSchema, create, services and capabilities)",
    );
  }
  const { specVersion } = template;
  if (!Number.isInteger(specVersion) || specVersion < 1 || specVersion > TEMPLATE_SPEC_VERSION) {
    throw new Error(`specVersion ${specVersion} is not between 1 and ${TEMPLATE_SPEC_VERSION}`);
  }
}

export function checkTemplateName(template: Template): void {
  if (!NAME_PATTERN.test(template.name)) {
    throw new Error(
      `template name ${JSON.stringify(template.name)} is not a lower-case slug (letters, digits, dashes)`,
    );
  }
}

/** Its own error codes are UPPER_SNAKE, not host codes, each with an HTTP error status. */
export function checkTemplateErrors(template: Template): void {
  const problem = checkErrorDeclarations(template.errors);
  if (problem) throw new Error(problem);
}
