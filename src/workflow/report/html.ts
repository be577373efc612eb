// A report as one standalone HTML page (no scripts, no external files):
// escaped, printable on A4 with one organization per page.
import { both, type Bilingual, type ReportDocument, type Table } from "./document.js";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const heading = (b: Bilingual): string => (b.ja === b.en ? escapeHtml(b.ja) : `${escapeHtml(b.ja)}<span class="en">${escapeHtml(b.en)}</span>`);

const STYLE = `
body { font-family: "Noto Sans JP", "Hiragino Sans", "Yu Gothic", Meiryo, sans-serif; font-size: 10.5pt; margin: 2em; color: #111; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; border-bottom: 2px solid #333; margin-top: 2em; } h3 { font-size: 11pt; margin-top: 1.2em; }
.en { display: block; font-size: 80%; font-weight: normal; color: #555; }
h1 .en, h2 .en, h3 .en { display: inline; margin-left: .6em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { border: 1px solid #888; padding: 2px 5px; vertical-align: top; text-align: left; word-break: break-all; }
th { background: #eee; }
tr.expired td { color: #777; text-decoration: line-through; }
tr.expired td.status { text-decoration: none; font-weight: bold; color: #a00; }
.empty { color: #666; font-style: italic; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 2px 1em; }
dl.meta dt { font-weight: bold; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; } section.page + section.page { page-break-before: always; } th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
`;

function htmlTable(t: Table): string[] {
  const out = [`<h3>${heading(t.title)}</h3>`];
  if (!t.rows.length) return [...out, `<p class="empty">${escapeHtml(both(t.empty))}</p>`];
  out.push("<table>", `<thead><tr>${t.columns.map((c) => `<th>${heading(c.title)}</th>`).join("")}</tr></thead>`, "<tbody>");
  for (const row of t.rows) {
    const cells = row.cells.map((c, i) => {
      const status = t.columns[i]?.role === "status";
      const text = status && row.expired ? "期限切れ / expired" : c;
      return `<td${status ? ' class="status"' : ""}>${escapeHtml(text)}</td>`;
    });
    out.push(`<tr${row.expired ? ' class="expired"' : ""}>${cells.join("")}</tr>`);
  }
  return [...out, "</tbody>", "</table>"];
}

export function toHtml(doc: ReportDocument): string {
  const out = [
    "<!DOCTYPE html>",
    '<html lang="ja">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(both(doc.title))}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>${heading(doc.title)}</h1>`,
    '<dl class="meta">',
    ...doc.meta.map((m) => `<dt>${escapeHtml(both(m.label))}</dt><dd>${escapeHtml(m.value)}</dd>`),
    "</dl>",
  ];
  for (const s of doc.sections) {
    out.push(`<section${s.pageBreak ? ' class="page"' : ""} id="${escapeHtml(s.id)}">`, `<h2>${escapeHtml(s.heading)}</h2>`);
    if (s.facts.length) {
      out.push('<table class="facts"><tbody>');
      for (const f of s.facts) out.push(`<tr><th>${heading(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`);
      out.push("</tbody></table>");
    }
    for (const t of s.tables) out.push(...htmlTable(t));
    out.push("</section>");
  }
  for (const n of doc.notes) out.push(`<p class="note">${escapeHtml(n)}</p>`);
  out.push("</body>", "</html>");
  return out.join("\n") + "\n";
}
