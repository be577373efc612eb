// A report as Markdown (GitHub-flavoured tables). Every inventory value is
// escaped: a cell never breaks its table, and nothing renders as HTML or a link.
import { both, type ReportDocument, type Table } from "./document.js";

/** Escapes text for a Markdown table cell or line. */
export function mdText(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_[\]|#]/g, (c) => `\\${c}`)
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

const EXPIRED = "**期限切れ / expired**";

export function mdTable(table: Table): string[] {
  const out = [`### ${mdText(both(table.title))}`, ""];
  if (!table.rows.length) return [...out, `_${mdText(both(table.empty))}_`, ""];
  out.push(`| ${table.columns.map((c) => mdText(both(c.title))).join(" | ")} |`);
  out.push(`|${table.columns.map(() => "---").join("|")}|`);
  for (const row of table.rows) {
    const cells = row.cells.map((c, i) => (row.expired && table.columns[i]?.role === "status" ? EXPIRED : mdText(c)));
    out.push(`| ${cells.join(" | ")} |`);
  }
  return [...out, ""];
}

export function toMarkdown(doc: ReportDocument): string {
  const out = [`# ${mdText(both(doc.title))}`, ""];
  for (const m of doc.meta) out.push(`- ${mdText(both(m.label))}: ${mdText(m.value)}`);
  out.push("");
  for (const s of doc.sections) {
    out.push(`## ${mdText(s.heading)}`, "");
    if (s.facts.length) {
      out.push("| 項目 / Item | 内容 / Value |", "|---|---|");
      for (const f of s.facts) out.push(`| ${mdText(both(f.label))} | ${mdText(f.value)} |`);
      out.push("");
    }
    for (const t of s.tables) out.push(...mdTable(t));
  }
  for (const n of doc.notes) out.push(`> ${mdText(n)}`, "");
  return out.join("\n").replace(/\n+$/, "\n");
}
