import type { Template, TemplateContext } from "@agentrt/core";
import { describe, it } from "vitest";
import {
  checkConfigDefaults,
  checkConfigJsonSchema,
  checkInvalidConfig,
  checkValidConfig,
} from "./config-checks.js";
import {
  checkTemplateBrand,
  checkTemplateCoreApi,
  checkTemplateName,
  checkTemplateVersion,
} from "./metadata-checks.js";
import { checkCancellation, checkDispose, checkRun, createCheckedInstance } from "./run-checks.js";

export interface ConformanceOptions<Input = unknown> {
  /** A config that must pass. */
  validConfig: unknown;
  /** Each must fail CONFIG_INVALID with an issue at that path. */
  invalidConfigs: { config: unknown; path: (string | number)[] }[];
  /** Keys the schema must fill in for validConfig. */
  expectedDefaults?: Record<string, unknown>;
  /** A run that must succeed. */
  runInput: Input;
  /** A run that takes a while; used for the cancellation test (no cancellation test without it). */
  slowRunInput?: Input;
  /** Default 1000. */
  cancelWithinMs?: number;
  /** env/settings/services for create/validate. */
  context?: Partial<TemplateContext>;
}

/** Extra time a test gets beyond the cancellation bound, for create and the first event. */
const TEST_TIMEOUT_SLACK_MS = 5000;

/** Registers the conformance suite for `template` as vitest describe/it blocks. */
export function testTemplateConformance<Input = unknown>(
  template: Template,
  options: ConformanceOptions<Input>,
): void {
  const { validConfig, context } = options;
  describe(`template conformance: ${template.name}@${template.version}`, () => {
    it("is branded by defineTemplate with a known spec version", () => checkTemplateBrand(template));
    it("has a lower-case slug name", () => checkTemplateName(template));
    it("has a valid semver version", () => checkTemplateVersion(template));
    it("declares a coreApi range this core satisfies", () => checkTemplateCoreApi(template));
    it("converts its config schema to JSON Schema", () => {
      checkConfigJsonSchema(template);
    });
    it("accepts the valid config", async () => {
      await checkValidConfig(template, validConfig, context);
    });
    if (options.expectedDefaults) {
      const expected = options.expectedDefaults;
      it("fills in defaults", () => checkConfigDefaults(template, validConfig, expected, context));
    }
    options.invalidConfigs.forEach(({ config, path }, i) => {
      it(`rejects invalid config #${i + 1} at ${JSON.stringify(path)}`, () =>
        checkInvalidConfig(template, config, path, context));
    });
    it("runs to well-formed events with exactly one final output", async () => {
      await checkRun(template, validConfig, options.runInput, context);
    });
    if (options.slowRunInput !== undefined) {
      const within = options.cancelWithinMs ?? 1000;
      it(
        `stops within ${within} ms when cancelled`,
        () =>
          checkCancellation(template, validConfig, options.slowRunInput, { cancelWithinMs: within, context }),
        within + TEST_TIMEOUT_SLACK_MS,
      );
    }
    it("disposes, and a second dispose does not throw", async () => {
      await checkDispose(await createCheckedInstance(template, validConfig, context));
    });
  });
}
