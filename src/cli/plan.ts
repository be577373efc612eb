import { resolve } from "node:path";
import type { Command } from "commander";
import type { GenerationStore } from "../backup/store.js";
import { todayIn } from "../inventory/validate.js";
import { expiredBlockNotices } from "../workflow/block/time.js";
import type { Inventory } from "../model/types.js";
import { planId } from "../plan/build.js";
import { savePlan } from "../plan/file.js";
import { makePlan, type MakePlanResult } from "../plan/make.js";
import { formatPlan, type Painter } from "../plan/print.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { paint, useColor } from "./output.js";
import { renderOrExit, selectDevices } from "./render.js";
import { driverOpener, openStore, operatorName, storePath } from "./runtime.js";
import { formatIntentSection, formatReviewMarkdown, formatReviewText } from "../workflow/format.js";
import { inventoryRepo } from "../workflow/git.js";
import { intentSinceBaseline, reviewPlan, type ReviewedPlan } from "../workflow/review.js";

export interface PlanFlags {
  device?: string[];
  org?: string;
  out?: string;
  json?: boolean;
  offline?: boolean;
  parallel?: string;
  operator?: string;
  /** review plan: render this revision as "current" (no device is contacted) */
  base?: string;
  head?: string;
  format?: string;
}

const FORMATS = ["text", "markdown", "json"] as const;

function formatOf(flags: PlanFlags): (typeof FORMATS)[number] {
  const f = flags.json ? "json" : (flags.format ?? "text");
  if (!(FORMATS as readonly string[]).includes(f)) throw new Error(`--format must be one of ${FORMATS.join(", ")} (got ${f})`);
  return f as (typeof FORMATS)[number];
}

export const painter = (stream: NodeJS.WriteStream = process.stdout): Painter => {
  const on = useColor(stream);
  return (t, c) => paint(t, c, on);
};

export function orgNamer(inventory: Inventory): (id: string) => string {
  const names = new Map(inventory.orgs.map((o) => [o.id, `${o.name.ja} (${o.id})`]));
  return (id) => names.get(id) ?? id;
}

export function parseParallel(text: string | undefined, fallback = 8): number {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--parallel must be a whole number from 1 to 64 (got ${text})`);
  return n;
}

/**
 * The plan as `--json` prints it: every hash, action and diff, but not the
 * desired texts, so that its size follows the change, not the fleet (the
 * sample's offline plan was 22 MB). The plan file of `--out` keeps them: apply
 * pushes from it.
 */
export function planJson(plan: ReviewedPlan): string {
  const devices = plan.devices.map((d) => ({ ...d, artifacts: d.artifacts.map(({ desired: _desired, ...a }) => a) }));
  return JSON.stringify({ ...plan, devices }, null, 2) + "\n";
}

/** Validates, renders and plans: shared by `plan` and by `apply` without a plan file. */
/** `writableStore`: apply without a plan file refuses a store it could not record into before it reads any device. */
export async function planFromInventory(
  g: GlobalOptions,
  flags: PlanFlags,
  options: { writableStore?: boolean; inventory?: Inventory } = {},
): Promise<{ inventory: Inventory; result: MakePlanResult; store: GenerationStore }> {
  const inventory = options.inventory ?? loadValidInventory(g, { quietWarnings: true, planWarnings: true }).inventory;
  const today = g.today ?? todayIn(inventory.cloud.timezone);
  const configs = renderOrExit(inventory, today, selectDevices(inventory, flags.device, flags.org));
  // expired blocks are not rendered: say so, since this plan (apply) takes them off the devices
  for (const n of expiredBlockNotices(inventory, today)) process.stderr.write(paint(n, "yellow", useColor(process.stderr)) + "\n");
  const store = await openStore(inventory, { readOnly: options.writableStore !== true });
  const result = await makePlan(inventory, configs, {
    offline: flags.offline === true,
    parallel: parseParallel(flags.parallel),
    operator: operatorName(flags.operator),
    today,
    openDriver: await driverOpener(inventory),
    store: { latestArtifacts: async (d) => (await store.latest(d))?.artifacts },
    intentChanges: [],
  });
  // the intent list since the changed devices' baseline, with the policy in force's classes (src/workflow);
  // part of the plan id, so that an approval covers what the reviewer read
  const changed = result.plan.devices.filter((d) => d.changed).map((d) => d.device);
  const since = intentSinceBaseline(inventory, storePath(inventory), today, changed);
  const reviewed: ReviewedPlan = { ...result.plan, intentChanges: since.changes, id: planId(result.plan.devices, since.changes), review: since.review };
  result.plan = reviewed;
  for (const u of result.unreachable) {
    process.stderr.write(paint(`${u.device}: cannot read the current configuration: ${u.error.message}`, "red", useColor(process.stderr)) + "\n");
  }
  for (const l of result.leftovers) {
    process.stderr.write(paint(`${l.device}: an earlier run left: ${l.notes.join("; ")}; see 'scconf recover ${l.device}'`, "yellow", useColor(process.stderr)) + "\n");
  }
  return { inventory, result, store };
}

export function registerPlan(program: Command, globals: () => GlobalOptions): void {
  program
    .command("plan")
    .description("show what apply would change on each device: a diff against what the device runs now")
    .option("-d, --device <name...>", "only these devices")
    .option("-o, --org <id>", "only the devices that carry this organization's settings")
    .option("--out <file>", "save the plan (for review, approval and apply)")
    .option("--json", "print the plan as JSON")
    .option("--offline", "compare with the last generation in the backups instead of the devices")
    .option("--parallel <n>", "devices read at once", "8")
    .option("--operator <name>", "who makes the plan (default: git user.name)")
    .option("--base <ref>", "review plan: compare the inventory at this git revision with --head; no device is contacted")
    .option("--head <ref>", "with --base: the changed revision (default: the inventory as it is on disk)")
    .option("--format <format>", "text, markdown (a pull-request comment) or json", "text")
    .action(async (flags: PlanFlags) => {
      const format = formatOf(flags);
      if (flags.base) {
        const g = globals();
        const { plan, head } = reviewPlan(inventoryRepo(g.inventory), resolve(g.inventory), {
          base: flags.base,
          ...(flags.head ? { head: flags.head } : {}),
          today: g.today ?? todayIn("Asia/Tokyo"),
          operator: operatorName(flags.operator),
          select: (inv) => selectDevices(inv, flags.device, flags.org),
        });
        if (flags.out) savePlan(flags.out, plan);
        const orgName = orgNamer(head);
        process.stdout.write(format === "json" ? planJson(plan) : format === "markdown" ? formatReviewMarkdown(plan, { orgName }) : formatReviewText(plan, orgName));
        if (flags.out) process.stderr.write(`plan ${plan.id} saved to ${flags.out}\n`);
        process.exitCode = plan.devices.some((d) => d.changed) || plan.intentChanges.length ? EXIT.changes : EXIT.ok;
        return;
      }
      const { inventory, result } = await planFromInventory(globals(), flags);
      const plan: ReviewedPlan = result.plan;
      if (flags.out) savePlan(flags.out, plan);
      if (format === "json") process.stdout.write(planJson(plan));
      else if (format === "markdown") process.stdout.write(formatReviewMarkdown(plan, { orgName: orgNamer(inventory) }));
      else {
        process.stdout.write(formatPlan({ ...plan, intentChanges: [] }, { paint: painter(), orgName: orgNamer(inventory) }));
        process.stdout.write(formatIntentSection(plan, orgNamer(inventory), "Changes since the last apply").join("\n") + "\n");
      }
      if (flags.out) process.stderr.write(`plan ${plan.id} saved to ${flags.out}\n`);
      if (result.unreachable.length) {
        process.exitCode = EXIT.deviceFailure;
        return;
      }
      process.exitCode = plan.devices.some((d) => d.changed) ? EXIT.changes : EXIT.ok;
    });
}
