import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jsonSchemaFor } from "../../src/cli/schema.js";
import { REPO_ROOT } from "../helpers/inventory.js";

describe("scconf schema", () => {
  for (const kind of ["cloud", "devices", "org"] as const) {
    it(`the committed schema/${kind}.schema.json is what the validator's schema generates`, () => {
      const committed = JSON.parse(readFileSync(`${REPO_ROOT}schema/${kind}.schema.json`, "utf8")) as unknown;
      expect(committed, `regenerate with: node bin/scconf schema ${kind} > schema/${kind}.schema.json`).toEqual(jsonSchemaFor(kind));
    });
  }

  it("refuses unknown fields in the editor schema too (strict objects)", () => {
    const org = jsonSchemaFor("org") as { additionalProperties?: boolean; properties: Record<string, unknown> };
    expect(org.additionalProperties).toBe(false);
    expect(Object.keys(org.properties)).toEqual(expect.arrayContaining(["firewall", "urlFilter", "ipsExceptions", "reverseProxy", "dns", "mailRelay", "spamExclusions"]));
  });

  it("every sample file points its editor at the committed schema", () => {
    const first = (p: string) => readFileSync(`${REPO_ROOT}${p}`, "utf8").split("\n")[0];
    expect(first("inventory/cloud.yaml")).toBe("# yaml-language-server: $schema=../schema/cloud.schema.json");
    expect(first("inventory/devices.yaml")).toBe("# yaml-language-server: $schema=../schema/devices.schema.json");
    expect(first("inventory/orgs/tsu.yaml")).toBe("# yaml-language-server: $schema=../../schema/org.schema.json");
  });
});
