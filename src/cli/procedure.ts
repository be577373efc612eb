// scconf procedure PLAN: the work procedure (作業手順書) of a plan, written from
// the same step list apply executes (R3, R4).
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { Command } from "commander";
import { readPlan } from "../plan/file.js";
import { buildProcedure, type DeviceFacts } from "../workflow/procedure/document.js";
import { deviceFacts, readApprovalFacts, readRehearsal } from "../workflow/procedure/facts.js";
import { LANGS, type Lang } from "../workflow/procedure/messages.js";
import { toHtml, toMarkdown } from "../workflow/procedure/render.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { UserError } from "./exit-codes.js";
import { openStore, storePath } from "./runtime.js";

interface ProcedureFlags {
  lang: string;
  format: string;
  rehearsal?: string;
  out?: string;
}

function isCommitted(file: string): boolean {
  try {
    execFileSync("git", ["-C", dirname(file), "ls-files", "--error-unmatch", basename(file)], { stdio: "ignore" });
    return execFileSync("git", ["-C", dirname(file), "status", "--porcelain", "--", basename(file)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() === "";
  } catch {
    return false;
  }
}

export function registerProcedure(program: Command, globals: () => GlobalOptions): void {
  program
    .command("procedure")
    .description("write the work procedure (作業手順書) of a plan: steps, verification, decision point, rollback, contacts, double-check columns")
    .argument("<plan>", "a plan file from 'scconf plan --out'")
    .option("--lang <lang>", "ja or en", "ja")
    .option("--format <format>", "md or html", "md")
    .option("--rehearsal <file>", "show the step durations measured by 'scconf apply --dry-run --record FILE' (or a lab run)")
    .option("-o, --out <file>", "write to this file instead of standard output")
    .action(async (planFile: string, flags: ProcedureFlags) => {
      if (!LANGS.includes(flags.lang as Lang)) throw new UserError(`--lang must be one of ${LANGS.join(", ")}`);
      if (flags.format !== "md" && flags.format !== "html") throw new UserError("--format must be md or html");
      const lang = flags.lang as Lang;
      const g = globals();
      const { inventory } = loadValidInventory(g, { quietWarnings: true });
      const plan = readPlan(planFile);
      const devices: Record<string, DeviceFacts> = {};
      const changed = plan.devices.filter((d) => d.changed);
      if (existsSync(storePath(inventory))) {
        const store = await openStore(inventory, { readOnly: true });
        for (const d of changed) devices[d.device] = await deviceFacts(store, d);
      } else {
        // no store yet: whatever a device runs now becomes generation 1 when the work starts
        for (const d of changed) devices[d.device] = { generations: 0, returnTo: d.artifacts.every((a) => a.currentHash === null) ? null : { generation: 1, newBackup: true } };
      }
      let rehearsal;
      if (flags.rehearsal) {
        try {
          rehearsal = readRehearsal(flags.rehearsal);
        } catch (err) {
          throw new UserError(`cannot read the rehearsal record ${flags.rehearsal}: ${(err as Error).message}`);
        }
      }
      const blocks = buildProcedure({
        plan,
        planFile,
        inventory,
        lang,
        devices,
        approvals: readApprovalFacts(resolve(g.inventory), plan.id, isCommitted),
        ...(rehearsal ? { rehearsal } : {}),
      });
      const text = flags.format === "html" ? toHtml(blocks, lang) : toMarkdown(blocks);
      if (flags.out) writeFileSync(flags.out, text);
      else process.stdout.write(text);
    });
}
