// A plan for reviewers: the intent changes with their class, the safety
// thresholds and the per-device diffs, as terminal text or as Markdown made to
// be posted as a pull-request comment (summary table on top, one collapsible
// section per device). Pure.
import { CHANGE_KIND_TITLES } from "../model/kinds.js";
import { summarizeIntent, type IntentChange } from "../plan/intent.js";
import type { ArtifactPlan, DevicePlan } from "../plan/types.js";
import type { ReviewedPlan } from "./review.js";
import { describeFinding } from "./thresholds.js";

type OrgName = (id: string) => string;
const MARK: Record<IntentChange["op"], string> = { add: "+", change: "~", remove: "-" };

function classText(c: IntentChange): string {
  if (!c.class) return "";
  return `${c.class === "needsApproval" ? "needs approval" : "minor"}${c.needsWindow ? ", window" : ""}`;
}

/** " (was: ...)", or what changed when the one-line summary reads the same (the position, a comment, logging) */
function was(c: IntentChange): string {
  if (c.before === undefined) return "";
  return c.before === c.summary ? " (moved, or a detail such as a comment or logging changed)" : ` (was: ${c.before})`;
}

export function intentLine(c: IntentChange, orgName: OrgName): string {
  const cls = classText(c);
  return `${MARK[c.op]} ${orgName(c.org)} · ${c.kind} · ${c.key}: ${c.summary}${was(c)}${cls ? `  [${cls}]` : ""}`;
}

/** A unified diff without the "Index:" and "=====" lines of the diff package. */
function cleanDiff(diff: string): string {
  return diff
    .trimEnd()
    .split("\n")
    .filter((l) => !l.startsWith("Index: ") && !/^={10,}$/.test(l))
    .join("\n");
}

/** True when the only lines that differ are the generated header's revision line. */
export function onlyRevisionHeader(a: ArtifactPlan): boolean {
  if (a.action !== "update") return false;
  const changed = a.diff.split("\n").filter((l) => (l.startsWith("+") && !l.startsWith("+++")) || (l.startsWith("-") && !l.startsWith("---")));
  return changed.length > 0 && changed.every((l) => l.includes("Inventory revision "));
}

function substantive(d: DevicePlan): ArtifactPlan[] {
  return d.artifacts.filter((a) => a.action !== "unchanged" && !onlyRevisionHeader(a));
}

function revisions(plan: ReviewedPlan): string {
  const r = plan.review;
  if (!r) return `inventory ${plan.inventoryRevision}`;
  return r.base ? `${r.base.label} → ${r.head}` : `inventory ${r.head}`;
}

function counts(changes: readonly IntentChange[]) {
  return {
    approval: changes.filter((c) => c.class === "needsApproval").length,
    minor: changes.filter((c) => c.class === "minor").length,
    window: changes.filter((c) => c.needsWindow).length,
  };
}

/** The intent section of a terminal plan: the change list with classes, thresholds, or why there is none. */
export function formatIntentSection(plan: ReviewedPlan, orgName: OrgName, title: string): string[] {
  const out: string[] = [];
  if (plan.review?.note && !plan.intentChanges.length) return [plan.review.note];
  if (!plan.intentChanges.length) return [`${title}: none`];
  const n = counts(plan.intentChanges);
  out.push(`${title} (${revisions(plan)}): ${plan.intentChanges.length} change(s), ${n.approval} need approval, ${n.window} need a maintenance window, ${n.minor} minor`);
  for (const c of plan.intentChanges) out.push(`  ${intentLine(c, orgName)}`);
  if (plan.review?.note) out.push(`  ! ${plan.review.note}`);
  const exceeded = plan.review?.thresholds.filter((t) => t.exceeded) ?? [];
  for (const t of exceeded) out.push(`  ! safety threshold: ${describeFinding(t)}: apply refuses it unless --force and approved`);
  return out;
}

export function formatReviewText(plan: ReviewedPlan, orgName: OrgName): string {
  const out: string[] = [];
  out.push(`Review plan ${plan.id} · ${revisions(plan)} · as of ${plan.today} · rendered from the inventory, no device contacted`);
  out.push("");
  out.push(...formatIntentSection(plan, orgName, "Changes"));
  const changed = plan.devices.filter((d) => d.changed);
  const headerOnly = changed.filter((d) => !substantive(d).length);
  for (const d of changed) {
    for (const a of substantive(d)) {
      out.push("", `# ${d.device} ${a.id} (${a.path}): ${a.action}`, cleanDiff(a.diff));
    }
  }
  out.push("", "Devices");
  const width = Math.max(6, ...plan.devices.map((d) => d.device.length));
  for (const d of plan.devices) {
    const s = substantive(d);
    const lines = s.reduce((acc, a) => ({ added: acc.added + a.added, removed: acc.removed + a.removed }), { added: 0, removed: 0 });
    const status = s.length ? `${s.length} artifact(s) change  (+${lines.added} -${lines.removed} lines)` : d.changed ? "only the revision header changes" : "no changes";
    out.push(`  ${d.device.padEnd(width)}  ${d.platform.padEnd(12)} ${status}`);
  }
  out.push("", `${changed.length - headerOnly.length} of ${plan.devices.length} device(s) change beyond the revision header.`);
  return out.join("\n") + "\n";
}

// ───────────── Markdown ─────────────

/** Text in a table cell or list item: no HTML, no table breaks. */
function md(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function fence(body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  return `${f}diff\n${body}\n${f}`;
}

export interface MarkdownOptions {
  orgName: OrgName;
  /** a pull-request comment holds at most 65,536 characters: longer diffs are cut */
  maxDiffLines?: number;
}

export function formatReviewMarkdown(plan: ReviewedPlan, options: MarkdownOptions): string {
  const { orgName } = options;
  const maxLines = options.maxDiffLines ?? 300;
  const out: string[] = [];
  out.push(`### scconf plan \`${plan.id}\``, "");
  out.push(`${md(revisions(plan))} · as of ${plan.today} · ${plan.review?.base ? "rendered from the inventory, no device contacted" : plan.offline ? "against the last generations" : "against the devices"}`, "");
  const changes = plan.intentChanges;
  if (changes.length) {
    out.push("| organization | change kind | added | changed | removed | class | window |", "|---|---|--:|--:|--:|---|---|");
    for (const row of summarizeIntent(changes)) {
      const mine = changes.filter((c) => c.org === row.org && c.kind === row.kind);
      const cls = mine.some((c) => c.class === "needsApproval") ? "**needs approval**" : mine.every((c) => c.class === "minor") ? "minor" : "";
      const win = mine.some((c) => c.needsWindow) ? "yes" : "";
      out.push(`| ${md(orgName(row.org))} | ${md(CHANGE_KIND_TITLES[row.kind].en)} | ${row.add} | ${row.change} | ${row.remove} | ${cls} | ${win} |`);
    }
    const n = counts(changes);
    out.push("", `**${n.approval} change(s) need approval** · ${n.window} need a maintenance window · ${n.minor} minor`, "");
    out.push(`<details open><summary>Changes (${changes.length})</summary>`, "");
    for (const c of changes) {
      const cls = classText(c);
      out.push(`- \`${MARK[c.op]}\` **${md(orgName(c.org))}** · ${c.kind} · \`${md(c.key)}\`: ${md(c.summary)}${md(was(c))}${cls ? ` — _${cls}_` : ""}`);
    }
    out.push("", "</details>", "");
  } else {
    out.push(md(plan.review?.note ?? "No intent-level changes."), "");
  }
  const exceeded = plan.review?.thresholds.filter((t) => t.exceeded) ?? [];
  if (exceeded.length) {
    out.push("> [!WARNING]", "> Safety thresholds exceeded: apply refuses this plan unless `--force` and approved.");
    for (const t of exceeded) out.push(`> - ${md(describeFinding(t))}`);
    out.push("");
  }
  const changed = plan.devices.filter((d) => d.changed);
  const real = changed.filter((d) => substantive(d).length);
  out.push(`#### Devices: ${real.length} of ${plan.devices.length} change`, "");
  for (const d of real) {
    const arts = substantive(d);
    const added = arts.reduce((s, a) => s + a.added, 0);
    const removed = arts.reduce((s, a) => s + a.removed, 0);
    out.push(`<details><summary><code>${md(d.device)}</code> ${d.platform} · ${arts.length} artifact(s) · +${added} −${removed}</summary>`, "");
    for (const a of arts) {
      const lines = cleanDiff(a.diff).split("\n");
      const body = lines.length > maxLines ? [...lines.slice(0, maxLines), `... ${lines.length - maxLines} more line(s): see 'scconf plan' locally`].join("\n") : lines.join("\n");
      out.push(`\`${md(a.path)}\` (${a.action})`, "", fence(body), "");
    }
    out.push("</details>", "");
  }
  const headerOnly = changed.filter((d) => !substantive(d).length);
  if (headerOnly.length) out.push(`Only the revision header changes on: ${headerOnly.map((d) => `\`${md(d.device)}\``).join(", ")}`, "");
  return out.join("\n");
}
