import { describe, expect, it } from "vitest";
import { parseTemplateNames } from "./template-name.js";

describe("parseTemplateNames", () => {
  it("derives the package, template and directory names", () => {
    expect(parseTemplateNames("weather")).toEqual({
      packageName: "agentrt-template-weather",
      templateName: "weather",
      dirName: "weather",
    });
    expect(parseTemplateNames("agentrt-template-weather").packageName).toBe("agentrt-template-weather");
    expect(parseTemplateNames("@acme/template-weather")).toEqual({
      packageName: "@acme/template-weather",
      templateName: "weather",
      dirName: "template-weather",
    });
  });

  it("refuses names that are not slugs", () => {
    for (const bad of ["Weather", "we ather", "-x", "@acme/", ""]) {
      expect(() => parseTemplateNames(bad)).toThrow("is not a valid template name");
    }
  });
});
