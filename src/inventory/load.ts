// Loads the inventory directory into the typed model, with every finding located.
import { existsSync, lstatSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { z } from "zod";
import { cloudSchema, devicesFileSchema, emergencyFileSchema, orgSchema } from "../model/schema.js";
import type { Cloud, Device, Inventory, Org } from "../model/types.js";
import type { Diagnostic, PathSegment } from "./diagnostics.js";
import { findLiteralSecrets } from "./checks/secrets.js";
import { findControlText } from "./checks/text.js";
import { issueToDiagnostics } from "./schema-diagnostics.js";
import { knownKeys } from "./schema-keys.js";
import { SourceFile } from "./source.js";

/** The parsed files, kept with the model so that later checks can locate findings. */
export interface InventorySources {
  cloud: SourceFile;
  devices: SourceFile;
  /** by org id */
  orgs: Map<string, SourceFile>;
  /** emergency.yaml, when present */
  emergency?: SourceFile;
}

export interface LoadResult {
  /** present when every file parsed and matched its schema */
  inventory?: Inventory;
  sources?: InventorySources;
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /** how paths are shown in diagnostics; defaults to the working directory */
  cwd?: string;
  /** the inventory's git revision, shown in rendered headers */
  revision?: string;
}

/** The NOC's emergency blocks, next to cloud.yaml (optional). */
export const EMERGENCY_FILE = "emergency.yaml";

/** How many organization files we read at the most (2,000 municipalities nationwide, with room). */
export const MAX_ORG_FILES = 5000;

function parseWith<T extends z.ZodType>(schema: T, source: SourceFile, diags: Diagnostic[]): z.output<T> | undefined {
  diags.push(...source.diagnostics);
  // secrets are found in the raw values, before the schema, so that they are named even where the schema refuses them too
  diags.push(...findLiteralSecrets(source));
  diags.push(...findControlText(source));
  if (source.value === undefined) return undefined;
  const r = schema.safeParse(source.value ?? {});
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    diags.push(...issueToDiagnostics(issue, source, (p: readonly PathSegment[]) => knownKeys(schema, p)));
  }
  return undefined;
}

export function loadInventory(dir: string, options: LoadOptions = {}): LoadResult {
  const root = resolve(dir);
  const cwd = options.cwd ?? process.cwd();
  const shown = (p: string) => {
    const rel = relative(cwd, p);
    return rel && !rel.startsWith("..") ? rel : p;
  };
  const diags: Diagnostic[] = [];
  const missing = (file: string, what: string): Diagnostic => ({
    severity: "error", code: "missing-file", file: shown(file), line: 1, column: 1, path: "(file)",
    message: `${what} is missing`, hint: `an inventory directory holds cloud.yaml, devices.yaml and orgs/<org-id>.yaml`,
  });

  const cloudPath = join(root, "cloud.yaml");
  const devicesPath = join(root, "devices.yaml");
  const orgsDir = join(root, "orgs");
  // a symlink would make the reviewed file another than the one read (a link to
  // another organization's file, to a file outside the repository, to a device)
  const isLink = (p: string) => {
    try {
      return lstatSync(p).isSymbolicLink();
    } catch {
      return false;
    }
  };
  const symlink = (file: string): Diagnostic => ({
    severity: "error", code: "symlink", file: shown(file), line: 1, column: 1, path: "(file)",
    message: "is a symbolic link; inventory files and directories must be regular files in the repository",
    hint: "replace the link with the file itself",
  });
  for (const p of [root, cloudPath, devicesPath, orgsDir, join(root, EMERGENCY_FILE)]) if (isLink(p) && p !== root) diags.push(symlink(p));
  if (existsSync(orgsDir) && !isLink(orgsDir)) {
    for (const f of readdirSync(orgsDir)) if (isLink(join(orgsDir, f))) diags.push(symlink(join(orgsDir, f)));
  }
  if (diags.length) return { diagnostics: diags };
  if (!existsSync(cloudPath)) diags.push(missing(cloudPath, "cloud.yaml"));
  if (!existsSync(devicesPath)) diags.push(missing(devicesPath, "devices.yaml"));
  if (diags.length) return { diagnostics: diags };

  const cloudSource = SourceFile.read(cloudPath, shown(cloudPath));
  const devicesSource = SourceFile.read(devicesPath, shown(devicesPath));
  const cloud: Cloud | undefined = parseWith(cloudSchema, cloudSource, diags);
  const devicesFile = parseWith(devicesFileSchema, devicesSource, diags);
  // the NOC's emergency blocks (scconf block): optional, absent means none
  const emergencyPath = join(root, EMERGENCY_FILE);
  const emergencySource = existsSync(emergencyPath) ? SourceFile.read(emergencyPath, shown(emergencyPath)) : undefined;
  const emergencyFile = emergencySource ? parseWith(emergencyFileSchema, emergencySource, diags) : undefined;

  const orgFiles = existsSync(orgsDir)
    ? readdirSync(orgsDir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml")).sort()
    : [];
  if (orgFiles.length > MAX_ORG_FILES) {
    diags.push({ ...missing(orgsDir, "orgs/"), code: "too-many-files", message: `orgs/ holds ${orgFiles.length} files; at most ${MAX_ORG_FILES} are read` });
    return { diagnostics: diags };
  }
  for (const other of existsSync(orgsDir) ? readdirSync(orgsDir).filter((f) => !/\.ya?ml$/.test(f) && !f.startsWith(".")) : []) {
    diags.push({ severity: "warning", code: "stray-file", file: shown(join(orgsDir, other)), line: 1, column: 1, path: "(file)",
      message: "not a .yaml file; it is ignored", hint: "organization files are orgs/<org-id>.yaml" });
  }

  const orgs: Org[] = [];
  const orgSources = new Map<string, SourceFile>();
  const orgPaths: Record<string, string> = {};
  for (const f of orgFiles) {
    const abs = join(orgsDir, f);
    const source = SourceFile.read(abs, shown(abs));
    const org = parseWith(orgSchema, source, diags);
    if (!org) continue;
    const expectedId = f.replace(/\.ya?ml$/, "");
    if (org.id !== expectedId) {
      diags.push(source.diagnostic("error", "org-id-file", ["id"], `the id "${org.id}" does not match the file name ${f}`,
        `rename the file to ${org.id}.yaml or set id: ${expectedId}`));
      continue;
    }
    orgs.push(org);
    orgSources.set(org.id, source);
    orgPaths[org.id] = source.file;
  }

  if (!cloud || !devicesFile || diags.some((d) => d.severity === "error")) return { diagnostics: diags };

  const devices: Device[] = [...devicesFile.devices];
  const inventory: Inventory = {
    root,
    cloud,
    devices,
    orgs: orgs.sort((a, b) => a.id.localeCompare(b.id)),
    ...(emergencyFile ? { emergency: emergencyFile.blocks } : {}),
    files: { cloud: cloudSource.file, devices: devicesSource.file, orgs: orgPaths, ...(emergencySource ? { emergency: emergencySource.file } : {}) },
    revision: options.revision ?? "unversioned",
  };
  return { inventory, sources: { cloud: cloudSource, devices: devicesSource, orgs: orgSources, ...(emergencySource ? { emergency: emergencySource } : {}) }, diagnostics: diags };
}
