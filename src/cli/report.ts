// scconf report settings|changes: the settings list (各種設定一覧) and the monthly operations report.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { todayIn } from "../inventory/validate.js";
import type { Inventory } from "../model/types.js";
import { localMinute, localMonth, MONTH } from "../workflow/history/time.js";
import { changesReport } from "../workflow/report/changes.js";
import { toCsv } from "../workflow/report/csv.js";
import type { ReportDocument } from "../workflow/report/document.js";
import { toHtml } from "../workflow/report/html.js";
import { toMarkdown } from "../workflow/report/markdown.js";
import { settingsReport } from "../workflow/report/settings.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { UserError } from "./exit-codes.js";
import { historySources } from "./history.js";

interface ReportFlags {
  org?: string;
  format: string;
  out?: string;
  month?: string;
}

const FORMATS = { md: toMarkdown, csv: toCsv, html: toHtml, json: (d: ReportDocument) => JSON.stringify(d, null, 2) + "\n" } as const;
type Format = keyof typeof FORMATS;

function formatter(format: string, allowed: readonly Format[]): (d: ReportDocument) => string {
  const f = format === "markdown" ? "md" : format;
  if (!(allowed as readonly string[]).includes(f)) throw new UserError(`--format must be one of ${allowed.join(", ")} (got ${format})`);
  return FORMATS[f as Format];
}

function emit(text: string, out: string | undefined): void {
  if (out) {
    writeFileSync(out, text);
    process.stderr.write(`report written to ${out}\n`);
  } else process.stdout.write(text);
}

const generatedAt = (inventory: Inventory): string => `${localMinute(new Date().toISOString(), inventory.cloud.timezone)} (${inventory.cloud.timezone})`;

export function registerReport(program: Command, globals: () => GlobalOptions): void {
  const report = program.command("report").description("documents to hand on: the settings list (各種設定一覧) and the monthly operations report");
  report
    .command("settings")
    .description("the settings list of every organization (or of one), always generated from the current inventory")
    .option("-o, --org <id>", "only this organization")
    .option("--format <format>", "md, csv (UTF-8 with BOM, for Excel) or html (standalone, printable)", "md")
    .option("--out <file>", "write to this file instead of standard output")
    .action((flags: ReportFlags) => {
      const render = formatter(flags.format, ["md", "csv", "html", "json"]);
      const g = globals();
      const { inventory } = loadValidInventory(g, { quietWarnings: true });
      if (flags.org && !inventory.orgs.some((o) => o.id === flags.org)) {
        throw new UserError(`no organization "${flags.org}" in the inventory`, undefined, `organizations: ${inventory.orgs.map((o) => o.id).join(", ")}`);
      }
      const today = g.today ?? todayIn(inventory.cloud.timezone);
      emit(render(settingsReport(inventory, { today, generatedAt: generatedAt(inventory), ...(flags.org ? { org: flags.org } : {}) })), flags.out);
    });
  report
    .command("changes")
    .description("the monthly operations report: changes per organization and kind, approvals, rollbacks, emergency actions, failures")
    .option("--month <YYYY-MM>", "the month, in the cloud's time zone (default: this month)")
    .option("--format <format>", "md, html or json", "md")
    .option("--out <file>", "write to this file instead of standard output")
    .action((flags: ReportFlags) => {
      const render = formatter(flags.format, ["md", "html", "json"]);
      const { inventory } = loadValidInventory(globals(), { quietWarnings: true });
      const month = flags.month ?? localMonth(new Date().toISOString(), inventory.cloud.timezone)!;
      if (!MONTH.test(month)) throw new UserError(`--month must be YYYY-MM (got ${month})`);
      const sources = historySources(inventory);
      const names = new Map(inventory.orgs.map((o) => [o.id, `${o.name.ja} (${o.id})`]));
      const doc = changesReport({
        month,
        timeZone: inventory.cloud.timezone,
        audit: sources.audit,
        approvals: sources.approvals,
        ...(sources.repo ? { repo: sources.repo } : {}),
        orgName: (id) => names.get(id) ?? id,
        generatedAt: generatedAt(inventory),
        inventoryRevision: inventory.revision,
      });
      if (sources.unreadable.length) doc.notes.push(`audit.jsonl lines ${sources.unreadable.join(", ")} could not be read and are left out`);
      emit(render(doc), flags.out);
    });
}
