import { UsageError } from "../exit-codes.js";

export interface TemplateNames {
  /** npm package name, e.g. `agentrt-template-weather` or `@acme/weather`. */
  packageName: string;
  /** The template's own name (a lower-case slug), e.g. `weather`. */
  templateName: string;
  /** Default directory name for the package, e.g. `weather`. */
  dirName: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PREFIX = /^(agentrt-template-|template-)/;

/**
 * `weather` → package `agentrt-template-weather`; a scoped name such as `@acme/template-weather` is
 * kept as the package name and the template is named after its last part without the prefix.
 */
export function parseTemplateNames(input: string): TemplateNames {
  const scoped = /^(@[a-z0-9][a-z0-9._-]*)\/([a-z0-9][a-z0-9._-]*)$/.exec(input);
  const base = scoped ? scoped[2]! : input;
  const templateName = base.replace(PREFIX, "");
  if (!SLUG.test(templateName)) {
    throw new UsageError(
      `"${input}" is not a valid template name: use lower-case letters, digits and dashes (or @scope/name)`,
    );
  }
  const packageName = scoped ? input : PREFIX.test(base) ? base : `agentrt-template-${templateName}`;
  return { packageName, templateName, dirName: base };
}
