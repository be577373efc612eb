// Desired (rendered) vs current (fetched) -> Plan. Pure.
import { randomBytes } from "node:crypto";
import { createTwoFilesPatch } from "diff";
import { detectSecrets } from "../backup/detect.js";
import { redact } from "../backup/redact.js";
import { parseSerial, serialAfter, withSerial } from "../model/dns.js";
import type { DeviceConfig, Inventory } from "../model/types.js";
import type { FetchedArtifact } from "../transport/driver.js";
import { canonicalXml } from "../transport/netconf/artifacts.js";
import { canonicalCliArtifact } from "../transport/ssh-cli/canonical.js";
import { sha256, stateHash } from "./hash.js";
import type { IntentChange } from "./intent.js";
import { PLAN_FORMAT, type ArtifactPlan, type DevicePlan, type Plan } from "./types.js";

export interface CurrentState {
  source: DevicePlan["source"];
  artifacts: FetchedArtifact[];
}

function countLines(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+") && !line.startsWith("+++")) added++;
    else if (line.startsWith("-") && !line.startsWith("---")) removed++;
  }
  return { added, removed };
}

/**
 * The header of every artifact names the inventory revision it was rendered
 * from. A new revision alone is not a change of the device: otherwise every
 * commit to any organization's file would reload every device. So when only
 * that line differs, the device keeps its artifact (and its header).
 */
const REVISION_LINE = /Inventory revision \S+\. Do not edit by hand/;
export function sameButRevision(current: string, desired: string): boolean {
  const a = current.split("\n");
  const b = desired.split("\n");
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (!(REVISION_LINE.test(a[i]!) && REVISION_LINE.test(b[i]!) && a[i]!.replace(REVISION_LINE, "") === b[i]!.replace(REVISION_LINE, ""))) return false;
  }
  return true;
}

/**
 * A zone as the device must get it. Rendering is pure and writes today's first
 * serial (YYYYMMDD00); a secondary transfers a zone only when its serial
 * rises. So: when only the serial (and the header's revision) differs, the
 * device's serial stays and nothing is pushed; when the content differs, the
 * serial is today's or one above the device's, whichever is higher (also after
 * a rollback to an older generation, whose serial is lower).
 */
export function zoneAgainst(current: string, desired: string): string {
  const have = parseSerial(current);
  const want = parseSerial(desired);
  if (have === undefined || want === undefined) return desired;
  const asCurrent = withSerial(desired, have);
  if (asCurrent === current || sameButRevision(current, asCurrent)) return asCurrent;
  return withSerial(desired, serialAfter(have, want));
}

/**
 * The diff a human reads (terminal, plan file, pull-request comment). What a
 * device runs now may hold secrets that scconf never wrote (a key someone put
 * in by hand): both sides are redacted the way backups are, with a key of this
 * plan only, so an unchanged secret shows as unchanged and a changed one as
 * changed, but no value is written. Fail closed: if the independent detector
 * still finds a secret, the diff is withheld. Hashes and `desired` stay exact.
 */
function displayDiff(device: string, platform: string, path: string, current: string | null, desired: string, key: Buffer): string {
  const name = `${device}:${path}`;
  const before = current === null ? "" : redact(current, platform, key);
  const after = redact(desired, platform, key);
  // a bounded diff: a rewrite of a 200,000-rule ruleset must not stall the plan
  const diff =
    createTwoFilesPatch(name, name, before, after, current === null ? "(absent)" : "current", "desired", { context: 3, maxEditLength: MAX_DIFF_EDITS }) ??
    wholeFileChange(name, before, after);
  if (detectSecrets(diff).length) {
    // say which side holds it: the device's text, or what the inventory renders
    const sides = [
      ...(detectSecrets(before).length ? ["the device's current configuration"] : []),
      ...(detectSecrets(after).length ? ["the desired configuration (rendered from the inventory)"] : []),
    ];
    const holder = sides.length ? sides.join(" and ") : "the diff of the two";
    return `--- ${name}\tcurrent\n+++ ${name}\tdesired\n(diff withheld: ${holder} holds text that looks like a secret and that scconf cannot redact; compare on the device)\n`;
  }
  return diff;
}

/** Past this many line edits the diff says "rewritten" instead of listing them. */
export const MAX_DIFF_EDITS = 2_000;

/** Shown instead of a diff too large to compute; the counts say how large. */
function wholeFileChange(name: string, before: string, after: string): string {
  return `--- ${name}\tcurrent\n+++ ${name}\tdesired\n(more than ${MAX_DIFF_EDITS} line edits: the artifact is rewritten; compare 'scconf render' with the last generation)\n`;
}

function lineCount(text: string): number {
  return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

export function planDevice(inventory: Inventory, config: DeviceConfig, current: CurrentState, redactionKey: Buffer = randomBytes(32)): DevicePlan {
  const device = inventory.devices.find((d) => d.name === config.device);
  if (!device) throw new Error(`unknown device ${config.device}`);
  const byId = new Map(current.artifacts.map((a) => [a.id, a]));
  const artifacts: ArtifactPlan[] = config.artifacts.map((rendered) => {
    // a NETCONF or CLI device keeps data, not our text: compare (and push) the canonical form it reads back
    const canonical =
      device.transport === "netconf" && rendered.format === "xml" ? { ...rendered, content: canonicalXml(rendered.content) ?? "" }
      : device.transport === "ssh-cli" ? { ...rendered, content: canonicalCliArtifact(rendered) }
      : rendered;
    const cur = byId.get(canonical.id)?.content ?? null;
    const zoned = cur !== null && config.platform === "bind" && canonical.id.startsWith("zone-") ? { ...canonical, content: zoneAgainst(cur, canonical.content) } : canonical;
    const a = cur !== null && cur !== zoned.content && sameButRevision(cur, zoned.content) ? { ...zoned, content: cur } : zoned;
    const currentHash = cur === null ? null : sha256(cur);
    const desiredHash = sha256(a.content);
    const action = cur === null ? "create" : currentHash === desiredHash ? "unchanged" : "update";
    const diff = action === "unchanged" ? "" : displayDiff(config.device, config.platform, a.path, cur, a.content, redactionKey);
    const counted = diff.includes(`more than ${MAX_DIFF_EDITS} line edits`) ? { added: lineCount(a.content), removed: lineCount(cur ?? "") } : countLines(diff);
    return { id: a.id, path: a.path, kinds: a.kinds, format: a.format, action, currentHash, desiredHash, desired: a.content, diff, ...counted };
  });
  return {
    device: config.device,
    platform: config.platform,
    transport: device.transport,
    source: current.source,
    artifacts,
    currentHash: stateHash(artifacts.map((a) => ({ id: a.id, hash: a.currentHash }))),
    changed: artifacts.some((a) => a.action !== "unchanged"),
    ...(config.checkCommand ? { checkCommand: config.checkCommand } : {}),
    ...(config.reloadCommand ? { reloadCommand: config.reloadCommand } : {}),
  };
}

/**
 * The plan's identity: what it would do and what the reviewer read (the
 * intent list with its classes), not when or by whom it was made. Approvals
 * name this id, so editing either part needs a new approval.
 */
export function planId(devices: readonly DevicePlan[], intentChanges: readonly IntentChange[] = []): string {
  const body = devices
    .map((d) => `${d.device}\n${d.artifacts.map((a) => `${a.id} ${a.currentHash ?? "absent"} ${a.desiredHash}`).join("\n")}`)
    .join("\n\n");
  const intent = intentChanges.map((c) => `${c.op} ${c.org} ${c.kind} ${c.key} ${c.summary} ${c.class ?? ""} ${c.needsWindow ? "window" : ""}`).join("\n");
  return sha256(intent ? `${body}\n\nintent\n${intent}` : body).slice(0, 16);
}

export function assemblePlan(args: {
  inventory: Inventory;
  devices: DevicePlan[];
  intentChanges: IntentChange[];
  operator: string;
  today: string;
  offline: boolean;
  now?: Date;
}): Plan {
  return {
    format: PLAN_FORMAT,
    id: planId(args.devices, args.intentChanges),
    createdAt: (args.now ?? new Date()).toISOString(),
    operator: args.operator,
    inventoryRevision: args.inventory.revision,
    today: args.today,
    offline: args.offline,
    devices: args.devices,
    intentChanges: args.intentChanges,
  };
}
