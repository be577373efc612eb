// A report as one CSV table for Excel: UTF-8 with a byte-order mark (without
// it Excel in Japan reads the file as Shift_JIS and garbles it), CRLF line
// ends, RFC 4180 quoting, and every row self-contained (organization and
// kind columns) so that a filter or a pivot works. Cells that Excel would
// take for a formula (=, +, -, @, tab, CR) are prefixed with an apostrophe:
// an organization's file must not be able to run anything on the reader's PC.
import { both, type ReportDocument } from "./document.js";

export const BOM = "\uFEFF";

export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (cells: readonly string[]): string => cells.map(csvCell).join(",") + "\r\n";

const HEADER = [
  "団体ID / Org ID",
  "団体名 / Organization",
  "設定種別 / Kind",
  "No.",
  "名前 / Name",
  "設定内容 / Setting",
  "有効期限 / Expires",
  "状態 / Status",
  "備考 / Note",
];

/** The document flattened: one row per item, the kind's own columns joined into the "Setting" cell as "見出し: 値". */
export function toCsv(doc: ReportDocument): string {
  let text = BOM + csvLine(HEADER);
  for (const s of doc.sections) {
    const orgName = s.heading;
    for (const f of s.facts) text += csvLine([s.id, orgName, "団体情報 / Profile", "", both(f.label), f.value, "", "", ""]);
    for (const t of s.tables) {
      t.rows.forEach((row, index) => {
        let name = "";
        let expires = "";
        let status = "";
        const notes: string[] = [];
        const details: string[] = [];
        row.cells.forEach((cell, i) => {
          const col = t.columns[i];
          if (!col) return;
          if (col.role === "name") name = cell;
          else if (col.role === "expires") expires = cell;
          else if (col.role === "status") status = row.expired ? "期限切れ / expired" : cell;
          else if (col.role === "note") {
            if (cell) notes.push(cell);
          } else if (cell !== "") details.push(`${col.title.ja}: ${cell}`);
        });
        text += csvLine([s.id, orgName, both(t.title), String(index + 1), name, details.join("; "), expires, status, notes.join("; ")]);
      });
    }
  }
  return text;
}
