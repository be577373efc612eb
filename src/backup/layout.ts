// What a generation is made of on disk, and the checks that run before
// anything is written: names, encodings, redaction and the secret detector.
import { createHash } from "node:crypto";
import { detectSecrets } from "./detect.js";
import { SecretLeakError, StoreError } from "./errors.js";
import { redact } from "./redact.js";

/** "approval" records only an audit line: no device changes by it */
export type RecordKind = "backup" | "apply" | "rollback" | "emergency" | "approval";
export const RECORD_KINDS: readonly RecordKind[] = ["backup", "apply", "rollback", "emergency", "approval"];

export interface StoredArtifact {
  id: string;
  /** where it lives on the device */
  path: string;
  content: string;
}

export interface RecordEntry {
  device: string;
  platform: string;
  artifacts: StoredArtifact[];
  /** the device's full running configuration; redacted before it is stored */
  running?: string;
  /** the inventory revision this generation was rendered from, and the date it was rendered for (the gate's baseline) */
  source?: GenerationSource;
}

/** Where a generation came from: the inventory revision ("a1b2c3d4e5f6", "+dirty", "unversioned") and the render date. */
export interface GenerationSource {
  revision: string;
  today: string;
}

export interface RecordMeta {
  change: string;
  planHash?: string;
  operator: string;
  kind: RecordKind;
  message?: string;
}

/** devices/<device>/meta.json. Holds no time stamp, so an unchanged device stays unchanged in git. */
export interface DeviceMeta {
  platform: string;
  /** sorted by id */
  artifacts: { id: string; path: string; sha256: string }[];
  /** sha256 of the stored (redacted) running.txt; null when the device gave none */
  running: { sha256: string } | null;
  /** absent in generations recorded before scconf kept it: such a device has no baseline */
  source?: GenerationSource;
}

export const deviceDir = (device: string): string => `devices/${device}`;
export const artifactFile = (device: string, id: string): string => `devices/${device}/artifacts/${id}`;
export const runningFile = (device: string): string => `devices/${device}/running.txt`;
export const metaFile = (device: string): string => `devices/${device}/meta.json`;
export const AUDIT_FILE = "audit.jsonl";

/** A name that is one safe path segment: no separators, no "..", no leading dot or dash. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._@+-]*$/;
const ONE_LINE = /^[^\r\n\u0000-\u001f\u007f]+$/;

export function sha256(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

export function checkDeviceName(device: string): void {
  if (!SEGMENT.test(device) || device.includes("..")) {
    throw new StoreError(`invalid device name "${device}" for the backup store`, "use letters, digits, '.', '_', '-'");
  }
}

export function checkRecordMeta(meta: RecordMeta): void {
  if (!RECORD_KINDS.includes(meta.kind)) throw new StoreError(`unknown record kind "${String(meta.kind)}"`);
  for (const [name, value] of [["change", meta.change], ["operator", meta.operator], ["planHash", meta.planHash]] as const) {
    if (value === undefined && name === "planHash") continue;
    if (typeof value !== "string" || !ONE_LINE.test(value) || value.trim() !== value) {
      throw new StoreError(`the ${name} of a record must be one non-empty line without surrounding spaces`);
    }
  }
  if (/[<>]/.test(meta.operator)) throw new StoreError(`the operator name must not contain '<' or '>'`);
}

export interface PreparedDevice {
  device: string;
  /** repository path -> content, for everything under devices/<device>/ */
  files: Map<string, string>;
}

/**
 * Checks, redacts and lays out each device. Every text that will be committed
 * passes the detector here, before the lock is taken and before any file is
 * written, so a refusal leaves no trace in the repository.
 */
export function prepareDevices(entries: RecordEntry[], key: Buffer): PreparedDevice[] {
  const seen = new Set<string>();
  const findings: string[] = [];
  const prepared = entries.map((entry) => {
    checkDeviceName(entry.device);
    if (seen.has(entry.device)) throw new StoreError(`device ${entry.device} appears twice in one record`);
    seen.add(entry.device);
    const files = new Map<string, string>();
    const ids = new Set<string>();
    const artifacts = [...entry.artifacts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const artifact of artifacts) {
      if (!SEGMENT.test(artifact.id) || artifact.id.includes("..")) {
        throw new StoreError(`invalid artifact id "${artifact.id}" on device ${entry.device}`);
      }
      if (ids.has(artifact.id)) throw new StoreError(`artifact ${artifact.id} appears twice on device ${entry.device}`);
      ids.add(artifact.id);
      checkEncodable(artifact.content, `${entry.device} artifact ${artifact.id}`);
      findings.push(...located(artifact.content, `device ${entry.device}, artifact ${artifact.id}`));
      files.set(artifactFile(entry.device, artifact.id), artifact.content);
    }
    let running: string | undefined;
    if (entry.running !== undefined) {
      checkEncodable(entry.running, `${entry.device} running configuration`);
      running = redact(entry.running, entry.platform, key);
      findings.push(...located(running, `device ${entry.device}, running configuration (after redaction)`));
      files.set(runningFile(entry.device), running);
    }
    const meta: DeviceMeta = {
      platform: entry.platform,
      artifacts: artifacts.map((a) => ({ id: a.id, path: a.path, sha256: sha256(a.content) })),
      running: running === undefined ? null : { sha256: sha256(running) },
      ...(entry.source ? { source: { revision: entry.source.revision, today: entry.source.today } } : {}),
    };
    const metaText = JSON.stringify(meta, null, 2) + "\n";
    findings.push(...located(metaText, `device ${entry.device}, meta.json`));
    files.set(metaFile(entry.device), metaText);
    return { device: entry.device, files };
  });
  if (findings.length > 0) throw new SecretLeakError(findings);
  return prepared;
}

/** Throws SecretLeakError when the text shows a secret; for commit messages and audit lines. */
export function assertNoSecrets(text: string, where: string): void {
  const findings = located(text, where);
  if (findings.length > 0) throw new SecretLeakError(findings);
}

function located(text: string, where: string): string[] {
  return detectSecrets(text).map((f) => `${where}, line ${f.line}: ${f.pattern}`);
}

/** A string with a lone surrogate would not come back byte-identical from UTF-8. */
function checkEncodable(text: string, where: string): void {
  if (typeof text !== "string" || Buffer.from(text, "utf8").toString("utf8") !== text) {
    throw new StoreError(`${where}: content is not valid Unicode text and cannot be stored byte-identically`);
  }
}

export function parseDeviceMeta(text: string, where: string): DeviceMeta {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StoreError(`${where}: meta.json is not valid JSON`);
  }
  const meta = parsed as Partial<DeviceMeta>;
  if (typeof meta.platform !== "string" || !Array.isArray(meta.artifacts)) {
    throw new StoreError(`${where}: meta.json lacks platform or artifacts`);
  }
  const src = meta.source;
  const source = src && typeof src.revision === "string" && typeof src.today === "string" ? { source: { revision: src.revision, today: src.today } } : {};
  return { platform: meta.platform, artifacts: meta.artifacts, running: meta.running ?? null, ...source };
}
