// The backups store's audit log (audit.jsonl), read back as typed entries.
// The store writes the envelope (time, kind, change, operator, devices ...);
// apply adds its own line under `details` (inventory revision, outcome per
// device, and from the gates: approvals, emergency reason, change classes).
// Reading is lenient: a line that is not JSON is counted, never fatal,
// because a report must still come out of a log someone damaged by hand.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AUDIT_FILE } from "../../backup/layout.js";

export type DeviceOutcome = "applied" | "unchanged" | "rehearsed" | "refused" | "reverted" | "unknown";
export const FAILED_OUTCOMES: readonly string[] = ["refused", "reverted", "unknown"];

export interface AuditDevice {
  device: string;
  outcome: string;
  failedStep?: string;
}

export interface AuditEntry {
  /** 1-based line number in audit.jsonl */
  line: number;
  /** ISO instant */
  time: string;
  /** backup | apply | rollback | emergency (a future kind is kept as written) */
  kind: string;
  change: string;
  plan?: string;
  operator: string;
  /** devices the run recorded, and those whose stored configuration changed */
  devices: string[];
  changed: string[];
  /** the inventory revision the run was made from ("a1b2c3d4e5f6", "...+dirty", "unversioned") */
  inventoryRevision?: string;
  outcomes: AuditDevice[];
  approvals: Array<{ by: string; at: string }>;
  emergency?: { reason: string };
  /** changes that went out without the approval their class needed (the gate's verdict recorded with the run) */
  unapproved: string[];
  /** the run went out without its approval and waits for an approval after the fact (an emergency apply or block) */
  awaitingApproval: boolean;
  message?: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const record = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function toEntry(raw: Record<string, unknown>, line: number): AuditEntry | undefined {
  const time = str(raw["time"]) ?? str(raw["at"]);
  const kind = str(raw["kind"]) ?? str(raw["action"]);
  if (!time || !kind) return undefined;
  const details = record(raw["details"]);
  const outcomes = (Array.isArray(details["devices"]) ? details["devices"] : [])
    .map(record)
    .filter((d) => typeof d["device"] === "string" && typeof d["outcome"] === "string")
    .map((d) => ({ device: d["device"] as string, outcome: d["outcome"] as string, ...(typeof d["failedStep"] === "string" ? { failedStep: d["failedStep"] } : {}) }));
  const approvals = (Array.isArray(details["approvals"]) ? details["approvals"] : [])
    .map(record)
    .filter((a) => typeof a["by"] === "string")
    .map((a) => ({ by: a["by"] as string, at: str(a["at"]) ?? "" }));
  const emergency = record(details["emergency"]);
  const entry: AuditEntry = {
    line,
    time,
    kind,
    change: str(raw["change"]) ?? "",
    operator: str(raw["operator"]) ?? "",
    devices: strings(raw["devices"]),
    changed: strings(raw["changed"]),
    outcomes,
    approvals,
    unapproved: (Array.isArray(details["unapproved"]) ? details["unapproved"] : []).map((u) => str(record(u)["change"]) ?? "").filter(Boolean),
    awaitingApproval: emergency["awaitingApproval"] === true || emergency["approvalPending"] === true,
  };
  const plan = str(raw["planHash"]) ?? str(details["plan"]);
  if (plan) entry.plan = plan;
  const rev = str(details["inventoryRevision"]);
  if (rev) entry.inventoryRevision = rev;
  if (typeof emergency["reason"] === "string") entry.emergency = { reason: emergency["reason"] };
  else if (kind === "emergency") entry.emergency = { reason: str(raw["message"]) ?? "" };
  const message = str(raw["message"]);
  if (message) entry.message = message;
  return entry;
}

/** Pure: the entries of an audit log's text, oldest first, and the line numbers that could not be read. */
export function parseAudit(text: string): { entries: AuditEntry[]; unreadable: number[] } {
  const entries: AuditEntry[] = [];
  const unreadable: number[] = [];
  text.split("\n").forEach((raw, index) => {
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      unreadable.push(index + 1);
      return;
    }
    const entry = toEntry(record(value), index + 1);
    if (entry) entries.push(entry);
    else unreadable.push(index + 1);
  });
  return { entries, unreadable };
}

/** The store's audit log; empty when nothing was recorded yet. */
export function readAudit(storeDir: string): { entries: AuditEntry[]; unreadable: number[] } {
  let text: string;
  try {
    text = readFileSync(join(storeDir, AUDIT_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], unreadable: [] };
    throw err;
  }
  return parseAudit(text);
}

/** A run that changed at least one device (a rehearsal or a refused run did not). */
export function changedSomething(e: AuditEntry): boolean {
  return e.outcomes.length ? e.outcomes.some((o) => o.outcome === "applied") : e.changed.length > 0;
}

/** Whether the run (apply with --emergency, or an emergency block) was an emergency action. */
export function isEmergency(e: AuditEntry): boolean {
  return e.kind === "emergency" || e.emergency !== undefined;
}

/** A revision that names a commit: not "+dirty", not "unversioned". */
export function cleanRevision(rev: string | undefined): string | undefined {
  return rev && rev !== "unversioned" && !rev.endsWith("+dirty") && /^[0-9a-f]{4,64}$/.test(rev) ? rev : undefined;
}
