import { writeFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { applyPlan, type ApplyResult } from "../apply/apply.js";
import type { StepDescription } from "../apply/steps.js";
import type { RecordKind } from "../backup/layout.js";
import type { GenerationStore } from "../backup/store.js";
import type { Inventory } from "../model/types.js";
import { readPlan } from "../plan/file.js";
import { formatPlan } from "../plan/print.js";
import type { Plan } from "../plan/types.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT, UserError } from "./exit-codes.js";
import { paint, useColor } from "./output.js";
import { orgNamer, painter, parseParallel, planFromInventory } from "./plan.js";
import { deviceByName, driverOpener, lockOwner, openStore, operatorName, storePath } from "./runtime.js";
import { todayIn } from "../inventory/validate.js";
import { gateApply, gateNow } from "../workflow/apply-gate.js";
import { baselineOf } from "../workflow/baseline.js";
import { clockOverrides, refuseOverride, verdictOf } from "../workflow/verdict.js";
import { checkAgainstRender, committedInventory, planCommit, workingTreeNote } from "../workflow/committed.js";
import { inventoryRepo, resolveCommit, type InventoryRepo } from "../workflow/git.js";

function tryRepo(dir: string): InventoryRepo | undefined {
  try {
    return inventoryRepo(dir);
  } catch {
    return undefined;
  }
}

interface ApplyFlags {
  yes?: boolean;
  dryRun?: boolean;
  parallel?: string;
  canary?: string;
  confirmTimeout?: string;
  change?: string;
  operator?: string;
  record?: string;
  device?: string[];
  org?: string;
  /** the gates of src/workflow: approvals, thresholds, maintenance windows */
  force?: boolean;
  emergency?: boolean;
  reason?: string;
  now?: string;
}

/** Asks on a terminal; without one, only --yes proceeds (an empty or closed stdin never hangs). */
export async function confirmOrRefuse(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError("no terminal to ask for confirmation; pass --yes to proceed", EXIT.inputError);
  }
  const { confirm } = await import("@inquirer/prompts");
  const ok = await confirm({ message: question, default: false });
  if (!ok) throw new UserError("cancelled; nothing was changed", EXIT.inputError);
}

export function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  const color = useColor(stream);
  const width = 18;
  return (device: string, step: StepDescription, phase: "start" | "ok" | "fail", detail?: string) => {
    if (phase === "start") return;
    const time = new Date().toISOString().slice(11, 19);
    const mark = phase === "ok" ? paint("ok  ", "green", color) : paint("FAIL", "red", color);
    stream.write(`${paint(time, "dim", color)} ${device.padEnd(width)} ${mark} ${step.title.en}${detail ? `: ${detail.split("\n")[0]}` : ""}\n`);
  };
}

const OUTCOME_COLOR = { applied: "green", unchanged: "dim", rehearsed: "green", refused: "yellow", reverted: "yellow", unknown: "red" } as const;

export function printApplySummary(result: ApplyResult, stream: NodeJS.WriteStream = process.stdout): void {
  const color = useColor(stream);
  stream.write("\n" + paint("Summary", "bold", color) + "\n");
  for (const d of result.devices) {
    const gens = d.generationAfter !== d.generationBefore ? `generation ${d.generationBefore} → ${d.generationAfter}` : `generation ${d.generationAfter}`;
    stream.write(`  ${d.device.padEnd(20)} ${paint(d.outcome.padEnd(10), OUTCOME_COLOR[d.outcome], color)} ${gens}${d.failedStep ? `  (stopped at ${d.failedStep})` : ""}\n`);
    if (d.error) stream.write(d.error.split("\n").map((l) => `      ${l}`).join("\n") + "\n");
  }
  for (const d of result.devices.filter((x) => x.outcome === "unknown")) {
    stream.write(paint(`\n!! ${d.device} is in an UNKNOWN state: neither the old nor the new configuration could be confirmed by reading back.\n`, "red", color));
    stream.write(`   Recover: check the device by hand, then 'scconf recover ${d.device}' and 'scconf rollback ${d.device} --to ${d.generationBefore}'.\n`);
  }
  if (result.unrecorded) {
    stream.write(paint(`\n!! ${result.unrecorded.devices.join(", ")} run the change, but no generation of it could be recorded:\n`, "red", color));
    stream.write(result.unrecorded.reason.split("\n").map((l) => `   ${l}`).join("\n") + "\n");
    stream.write(`   The devices are in their new configuration. Record it once the backup store takes it: scconf backup -d ${result.unrecorded.devices.join(" ")}\n`);
  }
  if (result.commit) stream.write(`\nbackups commit ${result.commit.slice(0, 12)}\n`);
}

export interface RunApplyArgs {
  inventory: Inventory;
  plan: Plan;
  store: GenerationStore;
  flags: ApplyFlags;
  kind: RecordKind;
  change: string;
  audit?: Record<string, unknown>;
  /** the inventory revision each device is brought to (default: the plan's); the gate's baseline */
  sourceOf?: (device: string) => { revision: string; today: string };
}

export async function runApply(args: RunApplyArgs): Promise<ApplyResult> {
  const { inventory, plan, flags } = args;
  const operator = operatorName(flags.operator);
  const cliTimeout = flags.confirmTimeout === undefined ? undefined : Number(flags.confirmTimeout);
  if (cliTimeout !== undefined && (!Number.isInteger(cliTimeout) || cliTimeout < 1)) throw new UserError("--confirm-timeout must be a whole number of seconds");
  for (const d of plan.devices) deviceByName(inventory, d.device);
  const open = await driverOpener(inventory);
  const result = await applyPlan(plan, {
    dryRun: flags.dryRun === true,
    confirmTimeout: (device) => cliTimeout ?? deviceByName(inventory, device).confirmTimeout,
    parallel: parseParallel(flags.parallel),
    ...(flags.canary ? { canary: flags.canary } : {}),
    operator,
    change: args.change,
    kind: args.kind,
    store: args.store,
    owner: lockOwner(operator, args.change),
    openDriver: open,
    onStep: progressPrinter(),
    ...(args.audit ? { audit: args.audit } : {}),
    ...(args.sourceOf ? { sourceOf: args.sourceOf } : {}),
  });
  if (flags.record) {
    const timings = result.devices.map((d) => ({ device: d.device, outcome: d.outcome, steps: d.timings }));
    writeFileSync(flags.record, JSON.stringify({ plan: plan.id, dryRun: flags.dryRun === true, recordedAt: new Date().toISOString(), devices: timings }, null, 2) + "\n");
  }
  printApplySummary(result);
  return result;
}

export function registerApply(program: Command, globals: () => GlobalOptions): void {
  program
    .command("apply")
    .description("push the plan to the devices: lock, backup, stage, validate, commit-confirmed, verify, confirm, record")
    .argument("[plan]", "a plan file from 'scconf plan --out'; without it, a plan is made now and shown first")
    .option("-y, --yes", "do not ask for confirmation (required without a terminal; a dry run never asks)")
    .option("--dry-run", "rehearse: connect, stage and validate on the devices, then discard; nothing changes")
    .option("--parallel <n>", "devices changed at once", "8")
    .option("--canary <device>", "apply to this device first; stop if it does not succeed")
    .option("--confirm-timeout <seconds>", "revert by itself unless confirmed within this time (default: per device, 120)")
    .option("--change <id>", "the change id recorded with the generations (default: plan-<plan id>)")
    .option("--operator <name>", "who applies (default: git user.name)")
    .option("--record <file>", "write the measured duration of every step (for rehearsals and procedures)")
    .option("-d, --device <name...>", "only these devices (without a plan file)")
    .option("-o, --org <id>", "only the devices that carry this organization's settings (without a plan file)")
    .option("--force", "go ahead although the plan exceeds a safety threshold (it must still be approved)")
    .option("--emergency", "apply outside the maintenance windows (needs --reason; recorded in the audit log)")
    .option("--reason <text>", "why the emergency cannot wait for the next window")
    .addOption(new Option("--now <iso>", "judge the maintenance windows as of this time (rehearsals, tests)").hideHelp())
    .action(async (planFile: string | undefined, flags: ApplyFlags) => {
      const g = globals();
      const working = loadValidInventory(g, { quietWarnings: true }).inventory;
      const repo = tryRepo(working.root);
      const rehearsal = flags.dryRun === true || g.target === "lab";
      // the clock is the clock: an override is for rehearsals only, and recorded
      const clock = clockOverrides(flags.now, g.today, working.cloud.timezone);
      if (!rehearsal && (clock.now || (repo && clock.today))) throw new UserError(refuseOverride(clock), EXIT.inputError);
      const today = g.today ?? todayIn(working.cloud.timezone);
      const refusals: string[] = [];
      let inventory: Inventory;
      let plan: Plan;
      let head: string | undefined;
      if (planFile) {
        plan = readPlan(planFile);
        inventory = working;
        if (repo) {
          const at = planCommit(repo, plan.inventoryRevision);
          if ("refusal" in at) refusals.push(at.refusal);
          else {
            head = at.commit;
            inventory = committedInventory(repo, at.commit, today, working, g.target);
            const check = checkAgainstRender(plan, inventory, today);
            if (check.problems.length) refusals.push(`the plan is not what the committed inventory renders: ${check.problems.slice(0, 3).join("; ")}${check.problems.length > 3 ? `; and ${check.problems.length - 3} more` : ""}`);
            plan = check.plan;
          }
        }
        process.stdout.write(formatPlan(plan, { paint: painter(), orgName: orgNamer(inventory), diffs: false }));
      } else {
        let source: Inventory | undefined;
        if (repo && !flags.dryRun) {
          const note = workingTreeNote(working.root);
          if (note) process.stderr.write(paint(note, "yellow", useColor(process.stderr)) + "\n");
          head = resolveCommit(repo.top, "HEAD");
          if (!head) throw new UserError("the inventory repository has no commit yet; commit the inventory first", EXIT.inputError);
          source = committedInventory(repo, head, today, working, g.target);
        }
        const made = await planFromInventory(g, flags, { writableStore: flags.dryRun !== true, ...(source ? { inventory: source } : {}) });
        inventory = made.inventory;
        plan = made.result.plan;
        if (made.result.unreachable.length) throw new UserError("some devices could not be read; nothing was changed", EXIT.deviceFailure);
        process.stdout.write(formatPlan(plan, { paint: painter(), orgName: orgNamer(inventory) }));
      }
      if (!plan.devices.some((d) => d.changed) && !refusals.length) {
        process.exitCode = EXIT.ok;
        return;
      }
      if (flags.emergency && !flags.reason?.trim()) throw new UserError("--emergency needs --reason TEXT: the reason is recorded in the audit log");
      const changed = plan.devices.filter((d) => d.changed).map((d) => d.device);
      const gate = gateApply({
        inventory,
        plan,
        baseline: baselineOf(storePath(inventory), changed, repo),
        ...(head ? { head } : {}),
        ...(flags.operator ? { operator: flags.operator } : {}),
        now: gateNow(flags.now),
        force: flags.force === true,
        ...(flags.emergency ? { emergency: { reason: flags.reason!.trim() } } : {}),
        clock,
      });
      refusals.push(...gate.refusals);
      for (const n of gate.notes) process.stderr.write(paint(n, "yellow", useColor(process.stderr)) + "\n");
      if (refusals.length && !flags.dryRun) throw new UserError(`refused; nothing was changed:\n  ${refusals.join("\n  ")}`, EXIT.inputError);
      for (const r of refusals) process.stderr.write(paint(`rehearsal only; a real apply would refuse: ${r}`, "yellow", useColor(process.stderr)) + "\n");
      // a dry run changes nothing, so it never asks (and runs without a terminal)
      if (!flags.dryRun) await confirmOrRefuse("Apply this plan to the devices?", flags.yes);
      const store = await openStore(inventory, { readOnly: flags.dryRun === true });
      const audit = { ...gate.audit, gate: { ...(gate.audit["gate"] as object), ...verdictOf(gate, plan, operatorName(flags.operator), flags) } };
      const result = await runApply({ inventory, plan, store, flags, kind: "apply", change: flags.change ?? `plan-${plan.id}`, audit });
      process.exitCode = result.exitCode;
    });
}
