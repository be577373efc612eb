// scconf block / unblock: the emergency path of R6. Records the block in
// emergency.yaml (committed, with who and why), pushes only the block's
// difference to exactly the devices whose rendering it changes, all at once,
// outside change windows and without prior approval (the audit line marks it
// for approval after the fact), through the same transaction as apply, and
// ends with the notification text for the affected organizations.
import { detectSecrets } from "../backup/detect.js";
import type { Command } from "commander";
import { todayIn } from "../inventory/validate.js";
import { parseBlockTarget, type BlockTarget } from "../model/blocklist.js";
import type { ChangeKind } from "../model/kinds.js";
import { isActive } from "../model/resolve.js";
import type { EmergencyBlock, Inventory } from "../model/types.js";
import { formatPlan } from "../plan/print.js";
import { addEmergencyBlock, commitEmergencyFile, removeEmergencyBlocks, type CommitOutcome } from "../workflow/block/emergency-file.js";
import { formatBlockList, listBlocks } from "../workflow/block/list.js";
import { notificationText } from "../workflow/block/notify.js";
import { affectedDevices, planBlockPush } from "../workflow/block/push.js";
import { assessTarget, embeddedRefusal } from "../workflow/block/refusals.js";
import { forbiddenChar } from "../inventory/checks/text.js";
import { dateIn, isoInZone, LONGEST_EXPIRY_DAYS, parseExpiry, parseInstant } from "../workflow/block/time.js";
import { confirmOrRefuse, runApply } from "./apply.js";
import { deviceSources } from "../workflow/baseline.js";
import { inventoryRevision, loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT, UserError } from "./exit-codes.js";
import { paint, useColor } from "./output.js";
import { orgNamer, painter, parseParallel } from "./plan.js";
import { driverOpener, openStore, operatorName, storePath } from "./runtime.js";
import { clockOverrides, refuseOverride } from "../workflow/verdict.js";

interface BlockFlags {
  reason?: string;
  ticket?: string;
  expires?: string;
  org?: string;
  detected?: string;
  force?: boolean;
  includePending?: boolean;
  yes?: boolean;
  list?: boolean;
  all?: boolean;
  operator?: string;
  parallel?: string;
  confirmTimeout?: string;
}

/** SCCONF_TIMING=1: the time of each phase on stderr (for bench/block.mjs) */
const lap = (phase: string) => {
  if (process.env["SCCONF_TIMING"]) process.stderr.write(`timing: ${phase} done at ${(performance.now() / 1000).toFixed(2)} s of the process\n`);
};

const warn = (text: string) => process.stderr.write(paint(text, "yellow", useColor(process.stderr)) + "\n");

/** The change kinds a target concerns: addresses are dropped by firewalls (and the proxy); names by the URL filter and internal DNS. */
export function blockKinds(target: BlockTarget): ChangeKind[] {
  return target.kind === "prefix" ? ["firewall", "urlFilter"] : ["urlFilter", "dns"];
}

function targetOrExit(text: string): BlockTarget {
  const t = parseBlockTarget(text);
  if (!t) throw new UserError(`"${text}" is neither an address, a CIDR prefix, a domain nor an http(s) URL on a domain`, EXIT.inputError, "e.g. 192.0.2.66, 192.0.2.0/28, c2.example.net, https://evil.example.net/payload");
  return t;
}

/** Operator names go into a git author line: no angle brackets. */
const authorSafe = (name: string) => name.replace(/[<>\n]/g, "").trim() || "scconf";

interface EmergencyChange {
  g: GlobalOptions;
  flags: BlockFlags;
  inventory: Inventory;
  target: BlockTarget;
  action: "block" | "unblock";
  /** the emergency list without and with the change */
  before: EmergencyBlock[];
  after: EmergencyBlock[];
  /** writes and commits emergency.yaml; absent when the file already says it (a repeated block) */
  record?: () => Promise<CommitOutcome>;
  reason: string;
  ticket?: string;
  detected: Date;
  expires?: string;
  org?: string;
  forced: boolean;
  operator: string;
}

/** The shared path of block and unblock: confirm, record, plan the push, apply, notify. */
async function pushEmergencyChange(c: EmergencyChange): Promise<void> {
  const { inventory, flags } = c;
  const tz = inventory.cloud.timezone;
  // the clock is the clock: a block pushes for real, so no time or date override (except on the lab)
  const clock = clockOverrides(undefined, c.g.today, tz);
  if (c.g.target !== "lab" && (clock.now || clock.today)) throw new UserError(refuseOverride(clock), EXIT.inputError);
  const today = c.g.today ?? todayIn(tz);
  const kinds = blockKinds(c.target);
  const { pairs, unrenderable } = affectedDevices({ ...inventory, emergency: c.before }, { ...inventory, emergency: c.after }, today, kinds);
  // one device that does not render must not keep the block from the others: they get it, this one is named
  for (const u of unrenderable) for (const m of u.messages) warn(`${u.device}: cannot render, the change is not pushed there: ${m}`);
  const candidates = pairs.map((p) => p.want.device);
  lap("render");
  const verb = c.action === "block" ? "Block" : "Lift the block of";
  process.stdout.write(`${verb} ${c.target.text}: ${candidates.length} device(s) render it differently: ${candidates.join(", ") || "none"}\n`);
  await confirmOrRefuse(`${verb} ${c.target.text} on ${candidates.length} device(s) now, without prior approval?`, flags.yes);

  if (c.record) {
    const outcome = await c.record();
    if (outcome.versioned) process.stdout.write(`recorded in emergency.yaml, inventory commit ${outcome.commit.slice(0, 12)}\n`);
    else warn(`recorded in emergency.yaml, NOT versioned: ${outcome.reason}`);
  }
  lap("record");
  const after = { ...inventory, emergency: c.after, revision: inventoryRevision(inventory.root) };
  const parallel = parseParallel(flags.parallel ?? String(Math.min(64, Math.max(1, candidates.length))));
  const push = await planBlockPush({
    after, today, pairs, parallel, operator: c.operator,
    openDriver: await driverOpener(after),
    includePending: flags.includePending === true,
  });
  lap("read devices");
  for (const u of push.unreachable) warn(`${u.device}: cannot read the current configuration: ${u.error.message}`);
  for (const x of push.conflicts) warn(`${x.device} ${x.artifact}: ${x.reason}; not pushed (--include-pending pushes the full rendering, with what 'scconf plan -d ${x.device}' shows)`);
  for (const d of push.inSync) process.stdout.write(`${d}: already runs it\n`);

  const change = c.ticket ?? `emergency-${c.action}-${isoInZone(new Date(), tz).slice(0, 19).replace(/[-:]/g, "")}`;
  let exitCode: number = push.conflicts.length || push.unreachable.length || unrenderable.length ? EXIT.deviceFailure : EXIT.ok;
  const confirmed = [...push.inSync];
  if (push.plan.devices.length > 0) {
    process.stdout.write(formatPlan(push.plan, { paint: painter(), orgName: orgNamer(after), diffs: false }));
    const store = await openStore(after);
    const sources = deviceSources(storePath(after));
    const result = await runApply({
      inventory: after,
      plan: push.plan,
      store,
      flags: { yes: true, operator: c.operator, parallel: String(parallel), ...(flags.confirmTimeout ? { confirmTimeout: flags.confirmTimeout } : {}) },
      kind: "emergency",
      // a block pushes only the block: each device keeps the baseline it had, and the block is a change since it
      sourceOf: (d) => sources.get(d) ?? { revision: `${after.revision}+block`, today },
      change,
      audit: {
        emergency: {
          action: c.action, target: c.target.text, reason: c.reason, ticket: c.ticket ?? null, approvalPending: true,
          detected: c.detected.toISOString(), ...(c.org ? { org: c.org } : {}), ...(c.forced ? { forced: true } : {}),
        },
      },
    });
    exitCode = Math.max(exitCode, result.exitCode);
    confirmed.push(...result.devices.filter((d) => d.outcome === "applied").map((d) => d.device));
  }
  const done = new Date();
  lap("apply");
  const missing = [...push.affected.filter((d) => !confirmed.includes(d)), ...unrenderable.map((u) => u.device)];
  const orgs = c.org ? inventory.orgs.filter((o) => o.id === c.org) : inventory.orgs;
  process.stdout.write("\n" + notificationText({
    action: c.action, target: c.target, reason: c.reason, ...(c.ticket ? { ticket: c.ticket } : {}),
    detected: c.detected.toISOString(), done: done.toISOString(), ...(c.expires ? { expires: c.expires } : {}),
    timeZone: tz, orgs, cloudWide: !c.org, devices: confirmed, missing,
    cloudName: { ja: inventory.cloud.name, en: inventory.cloud.nameEn ?? inventory.cloud.name },
  }));
  process.stdout.write(`${c.action === "block" ? "blocked" : "unblocked"} ${c.target.text} on ${confirmed.length} of ${push.affected.length + unrenderable.length} device(s) at ${isoInZone(done, tz)}; approval after the fact is pending (an approver: scconf approve --change ${change})\n`);
  if (missing.length) warn(`not in force on: ${missing.join(", ")}`);
  process.exitCode = exitCode;
}

async function block(g: GlobalOptions, text: string, flags: BlockFlags): Promise<void> {
  const started = new Date();
  if (!flags.reason) throw new UserError("--reason is required: it is recorded with the block and sent to the organizations");
  for (const [name, value] of [["--reason", flags.reason], ["--ticket", flags.ticket ?? ""]] as const) {
    const code = forbiddenChar(value);
    if (code) throw new UserError(`${name} contains the control or format character ${code}; it would be copied into device configurations and notices`, EXIT.inputError);
    // copied into the devices' comments: what the backup's detector flags would leave those devices unrecordable
    const seen = detectSecrets(value)[0];
    if (seen) throw new UserError(`${name} looks like a ${seen.pattern} to the backup's secret detector; it would be copied into device configurations`, EXIT.inputError);
  }
  const { inventory } = loadValidInventory(g, { quietWarnings: true });
  lap("load and validate");
  const tz = inventory.cloud.timezone;
  const target = targetOrExit(text);
  if (flags.org && !inventory.orgs.some((o) => o.id === flags.org)) throw new UserError(`no organization "${flags.org}" in the inventory`);
  const detected = flags.detected ? parseInstant(flags.detected, tz) : started;
  if (!detected) throw new UserError(`--detected: "${flags.detected}" is not an ISO date-time (2026-11-27T09:58:00+09:00)`);
  let expires: string | undefined;
  if (flags.expires) {
    const at = parseExpiry(flags.expires, started, tz);
    if (!at) throw new UserError(`--expires: "${flags.expires}" is neither a duration (30m, 72h, 3d, 2w) nor an ISO date-time`);
    if (at <= started) throw new UserError(`--expires: ${at.toISOString()} is in the past`);
    if (at.getTime() - started.getTime() > LONGEST_EXPIRY_DAYS * 86_400_000) throw new UserError(`--expires: an emergency block lasts at most ${LONGEST_EXPIRY_DAYS} days; a standing block belongs in cloud.yaml's blocklist`);
    expires = isoInZone(at, tz);
  }
  const assessment = assessTarget(inventory, target, flags.org ? { org: flags.org } : {});
  for (const r of assessment.refusals) {
    process.stderr.write(paint(`${flags.force ? "forced" : "refused"}: ${r.message}`, flags.force ? "yellow" : "red", useColor(process.stderr)) + "\n");
    if (r.hint) process.stderr.write(`  hint: ${r.hint}\n`);
  }
  const embedded = embeddedRefusal(target);
  if (embedded) throw new UserError(`the block of ${text} is refused: ${embedded}; nothing was recorded or pushed`, EXIT.inputError);
  if (assessment.refusals.length && !flags.force) {
    throw new UserError(`the block of ${target.text} is refused; nothing was recorded or pushed`, EXIT.inputError, "R6: block only the offending traffic; --force overrides (recorded with the block)");
  }
  if (assessment.insideOrg) warn(`${target.text} is ${assessment.insideOrg}'s own; blocking it as named by --org ${assessment.insideOrg}`);

  const operator = authorSafe(operatorName(flags.operator));
  const today = g.today ?? todayIn(tz);
  const list = inventory.emergency ?? [];
  const existing = list.findIndex((e) => parseBlockTarget(e.target)?.text === target.text && isActive(e.expires ? dateIn(tz, e.expires) : undefined, today));
  const entry: EmergencyBlock = {
    target: target.text, reason: flags.reason, ...(flags.ticket ? { ticket: flags.ticket } : {}), by: operator,
    added: isoInZone(started, tz), detected: isoInZone(detected, tz), ...(expires ? { expires } : {}),
    ...(flags.org ? { org: flags.org } : {}), ...(assessment.refusals.length ? { forced: true as const } : {}),
  };
  if (existing >= 0) process.stdout.write(`${target.text} is already listed (emergency.yaml): pushing it to the devices that lack it\n`);
  const message = [
    `emergency block ${target.text}: ${flags.reason}${flags.ticket ? ` [${flags.ticket}]` : ""}`,
    "",
    `by ${operator}; detected ${entry.detected}; expires ${expires ?? "never (until unblocked)"}${flags.org ? `; org ${flags.org}` : ""}${entry.forced ? "; FORCED past the R6 refusals" : ""}`,
    "Applied without prior approval (R6 emergency path): approval after the fact is pending.",
  ].join("\n");
  await pushEmergencyChange({
    g, flags, inventory, target, action: "block",
    before: existing >= 0 ? list.filter((_, i) => i !== existing) : list,
    after: existing >= 0 ? list : [...list, entry],
    ...(existing >= 0 ? {} : { record: async () => { addEmergencyBlock(inventory.root, entry); return commitEmergencyFile(inventory.root, message, operator); } }),
    reason: flags.reason, ...(flags.ticket ? { ticket: flags.ticket } : {}), detected, ...(expires ? { expires } : {}),
    ...(flags.org ? { org: flags.org } : {}), forced: entry.forced === true, operator,
  });
}

async function unblock(g: GlobalOptions, text: string, flags: BlockFlags): Promise<void> {
  const { inventory } = loadValidInventory(g, { quietWarnings: true });
  const target = targetOrExit(text);
  const list = inventory.emergency ?? [];
  const indexes = list.flatMap((e, i) => (parseBlockTarget(e.target)?.text === target.text ? [i] : []));
  const inPolicy = inventory.cloud.blocklist.some((b) => parseBlockTarget(b.target)?.text === target.text);
  if (indexes.length === 0) {
    throw new UserError(inPolicy ? `${target.text} is in cloud.yaml's blocklist, the prefecture's policy: remove it there, through review` : `${target.text} is not blocked`);
  }
  if (inPolicy) warn(`${target.text} stays blocked by cloud.yaml's blocklist (the prefecture's policy)`);
  const removed = list[indexes[indexes.length - 1]!]!;
  const operator = authorSafe(operatorName(flags.operator));
  const reason = flags.reason ?? removed.reason;
  const ticket = flags.ticket ?? removed.ticket;
  const message = [`emergency unblock ${target.text}${ticket ? ` [${ticket}]` : ""}`, "", `by ${operator}${flags.reason ? `: ${flags.reason}` : ""}; blocked ${removed.added} by ${removed.by} for: ${removed.reason}`].join("\n");
  await pushEmergencyChange({
    g, flags, inventory, target, action: "unblock",
    before: list, after: list.filter((_, i) => !indexes.includes(i)),
    record: async () => { removeEmergencyBlocks(inventory.root, indexes); return commitEmergencyFile(inventory.root, message, operator); },
    reason, ...(ticket ? { ticket } : {}), detected: new Date(removed.detected ?? removed.added),
    ...(removed.org ? { org: removed.org } : {}), forced: false, operator,
  });
}

export function registerBlock(program: Command, globals: () => GlobalOptions): void {
  program
    .command("block")
    .description("emergency block (R6): record it, push it to exactly the affected devices at once, print the notification")
    .argument("[target]", "an address, a CIDR prefix, a domain or an http(s) URL")
    .option("--reason <text>", "why (recorded, and sent to the organizations)")
    .option("--ticket <id>", "the incident ticket")
    .option("--expires <when>", "a duration (30m, 72h, 3d, 2w) or an ISO date-time; in force through that day (cloud time zone)")
    .option("-o, --org <id>", "the organization concerned: notify only it; required to block one of its own hosts or names")
    .option("--detected <iso>", "when the threat was detected (default: now)")
    .option("--force", "block even a target that R6 refuses (too wide, an organization's network, the cloud's own infrastructure)")
    .option("--include-pending", "where the block cannot be merged into what a device runs, push the full rendering (with its pending changes)")
    .option("-y, --yes", "do not ask for confirmation (required without a terminal)")
    .option("--list", "show the blocks in force and their expiry")
    .option("--all", "with --list: expired blocks too")
    .option("--operator <name>", "who blocks (default: git user.name)")
    .option("--parallel <n>", "devices changed at once (default: all affected)")
    .option("--confirm-timeout <seconds>", "revert by itself unless confirmed within this time (default: per device)")
    .action(async (target: string | undefined, flags: BlockFlags) => {
      const g = globals();
      if (flags.list) {
        const { inventory } = loadValidInventory(g, { quietWarnings: true });
        const today = g.today ?? todayIn(inventory.cloud.timezone);
        process.stdout.write(formatBlockList(listBlocks(inventory, today), inventory.cloud.timezone, today, flags.all === true));
        return;
      }
      if (!target) throw new UserError("name the target to block, or --list");
      await block(g, target, flags);
    });
  program
    .command("unblock")
    .description("lift an emergency block: remove it from emergency.yaml and push the removal to the affected devices")
    .argument("<target>", "the blocked address, prefix, domain or URL")
    .option("--reason <text>", "why it is lifted")
    .option("--ticket <id>", "the incident ticket (default: the block's)")
    .option("--include-pending", "where the removal cannot be merged into what a device runs, push the full rendering")
    .option("-y, --yes", "do not ask for confirmation (required without a terminal)")
    .option("--operator <name>", "who unblocks (default: git user.name)")
    .option("--parallel <n>", "devices changed at once (default: all affected)")
    .option("--confirm-timeout <seconds>", "revert by itself unless confirmed within this time (default: per device)")
    .action(async (target: string, flags: BlockFlags) => unblock(globals(), target, flags));
}
