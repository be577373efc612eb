import type { Command } from "commander";
import { z } from "zod";
import { FILE_SCHEMAS, type FileKind } from "../model/schema.js";
import { UserError } from "./exit-codes.js";

const TITLES: Record<FileKind, string> = {
  cloud: "scconf inventory: cloud.yaml",
  devices: "scconf inventory: devices.yaml",
  org: "scconf inventory: orgs/<org-id>.yaml",
  emergency: "scconf inventory: emergency.yaml (the NOC's emergency blocks)",
};

/** The JSON Schema editors use; generated from the validator's own schema. */
export function jsonSchemaFor(kind: FileKind): Record<string, unknown> {
  const schema = z.toJSONSchema(FILE_SCHEMAS[kind], { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { ...schema, $id: `https://mie-sec-cloud.jp/scconf/schema/${kind}.schema.json`, title: TITLES[kind] };
}

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("print the JSON Schema of an inventory file kind (cloud, devices, org, emergency)")
    .argument("[kind]", "cloud | devices | org | emergency", "org")
    .action((kind: string) => {
      if (!(kind in FILE_SCHEMAS)) throw new UserError(`unknown schema "${kind}"; choose cloud, devices, org or emergency`);
      process.stdout.write(JSON.stringify(jsonSchemaFor(kind as FileKind), null, 2) + "\n");
    });
}
