// A table of generated malformed and hostile inventories: each is a mutation
// of the small fixture (a hostile string at every string field, wrong types,
// deleted required fields, swapped lists and maps, huge numbers, unicode
// tricks in names). Every one must be refused with a located finding in the
// mutated file, and none may make the tool throw.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { SMALL_INVENTORY } from "../helpers/inventory.js";
import { cleanupInventories, validateWith } from "./edit.js";

afterAll(cleanupInventories);

type Path = Array<string | number>;

interface Leaf {
  path: Path;
  value: unknown;
}

function leaves(value: unknown, path: Path = [], out: Leaf[] = []): Leaf[] {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, [...path, i], out));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) leaves(v, [...path, k], out);
  out.push({ path, value });
  return out;
}

/** Each contains something every string field must refuse: a control or an invisible character. */
const HOSTILE = [
  'x"\n}; system reboot #',
  "ok\u202E}; reboot",
  "na\u200Bme;$(id)",
  "a\tb`id`",
  "\u0000",
  "\u2066evil\u2069",
  "x".repeat(5000) + "\n",
  "w\u200Deb",
];

interface Mutation {
  name: string;
  file: string;
  apply: (text: string) => string;
}

function mutate(text: string, path: Path, value: unknown): string {
  const doc = parseDocument(text);
  if (value === DELETE) doc.deleteIn(path);
  else doc.setIn(path, value);
  return doc.toString();
}
const DELETE = Symbol("delete");

const FILES = ["orgs/tsu.yaml", "orgs/mie-pref.yaml", "devices.yaml", "cloud.yaml"];
const REQUIRED: Record<string, Path[]> = {
  "orgs/tsu.yaml": [["id"], ["name"], ["kind"], ["contacts"], ["firewall", 0, "action"], ["firewall", 0, "from"], ["dns", 0, "zone"], ["mailRelay", 0, "nextHop"], ["reverseProxy", 0, "origin"], ["spamExclusions", 0, "reason"]],
  "orgs/mie-pref.yaml": [["ipsExceptions", 0, "signature"], ["ipsExceptions", 0, "reason"], ["networks", 0, "cidr"], ["globalAddresses", 0, "address"], ["exports", 0, "to"]],
  "devices.yaml": [["devices"], ["devices", 0, "platform"], ["devices", 0, "kinds"], ["devices", 3, "name"]],
  "cloud.yaml": [["domain"], ["addressPlans"], ["addressPlans", "internet"], ["blocklist", 0, "reason"], ["changePolicy", "windows", 0, "from"]],
};

function generate(): Mutation[] {
  const out: Mutation[] = [];
  let h = 0;
  for (const file of FILES) {
    const text = readFileSync(join(SMALL_INVENTORY, file), "utf8");
    const all = leaves(parseDocument(text).toJS());
    for (const leaf of all) {
      const where = leaf.path.join(".");
      if (typeof leaf.value === "string") {
        const hostile = HOSTILE[h++ % HOSTILE.length]!;
        out.push({ name: `${file} ${where} = hostile ${JSON.stringify(hostile.slice(0, 12))}`, file, apply: (t) => mutate(t, leaf.path, hostile) });
        out.push({ name: `${file} ${where} = a mapping`, file, apply: (t) => mutate(t, leaf.path, { injected: "x" }) });
        if (leaf.path[leaf.path.length - 1] === "name") {
          out.push({ name: `${file} ${where} with an RTL override`, file, apply: (t) => mutate(t, leaf.path, `${leaf.value as string}\u202E`) });
          out.push({ name: `${file} ${where} with a zero-width space`, file, apply: (t) => mutate(t, leaf.path, `z\u200B${leaf.value as string}`) });
        }
      } else if (typeof leaf.value === "number") {
        out.push({ name: `${file} ${where} = -1`, file, apply: (t) => mutate(t, leaf.path, -1) });
        out.push({ name: `${file} ${where} = .inf`, file, apply: (t) => mutate(t, leaf.path, Infinity) });
        out.push({ name: `${file} ${where} = [list]`, file, apply: (t) => mutate(t, leaf.path, [1, 2]) });
      } else if (typeof leaf.value === "boolean") {
        out.push({ name: `${file} ${where} = "yes"`, file, apply: (t) => mutate(t, leaf.path, "yes") });
      } else if (Array.isArray(leaf.value) && leaf.path.length > 0) {
        out.push({ name: `${file} ${where}: list swapped for a mapping`, file, apply: (t) => mutate(t, leaf.path, { a: 1 }) });
      } else if (leaf.value !== null && typeof leaf.value === "object" && leaf.path.length > 0 && !leaf.path.includes("objects")) {
        out.push({ name: `${file} ${where}: mapping swapped for a list`, file, apply: (t) => mutate(t, leaf.path, [1]) });
      }
    }
    for (const path of REQUIRED[file] ?? []) {
      out.push({ name: `${file} without ${path.join(".")}`, file, apply: (t) => mutate(t, path, DELETE) });
    }
  }
  return out;
}

const MUTATIONS = generate();
/** Every fourth mutation, and all of them (900+) with SCCONF_ALL_MUTATIONS=1: the full table takes ~20 s on a shared 2-core machine. */
const RUN = process.env["SCCONF_ALL_MUTATIONS"] ? MUTATIONS : MUTATIONS.filter((_, i) => i % 4 === 0);

describe("generated malformed and hostile inventories", () => {
  it("generates well over 60 mutations", () => {
    expect(MUTATIONS.length).toBeGreaterThan(300);
    expect(RUN.length).toBeGreaterThanOrEqual(60);
  });

  it.each(RUN.map((m) => [m.name, m] as const))("refuses %s with a located finding", (_name, m) => {
    let r: ReturnType<typeof validateWith> | undefined;
    expect(() => (r = validateWith({ [m.file]: m.apply }))).not.toThrow();
    expect(r!.inventory).toBeUndefined();
    expect(r!.errors).toBeGreaterThan(0);
    for (const d of r!.diagnostics) {
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.column).toBeGreaterThanOrEqual(1);
    }
    const located = r!.diagnostics.filter((d) => d.severity === "error" && d.file.endsWith(m.file) && d.line >= 1 && d.column >= 1);
    expect(located.length, JSON.stringify(r!.diagnostics.slice(0, 3))).toBeGreaterThan(0);
  });
});
