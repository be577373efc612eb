// The procedure document as Markdown, or as one standalone HTML page (no
// external assets; every text escaped). Both render the same blocks.
import type { Block } from "./document.js";
import type { Lang } from "./messages.js";

/** A table cell in Markdown: pipes escaped, line breaks as <br>. */
export function mdCell(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll("\n", "<br>");
}

export function toMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case "heading":
        out.push(`${"#".repeat(b.level)} ${b.text}`, "");
        break;
      case "paragraph":
        out.push(b.text, "");
        break;
      case "list":
        out.push(...b.items.map((item, i) => `${b.ordered ? `${i + 1}.` : "-"} ${item.replaceAll("\n", " ")}`), "");
        break;
      case "table":
        out.push(`| ${b.head.map(mdCell).join(" | ")} |`, `|${b.head.map(() => "---").join("|")}|`);
        out.push(...b.rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`), "");
        break;
      case "code": {
        // a fence longer than any backtick run inside
        const longest = Math.max(2, ...[...b.text.matchAll(/`+/g)].map((x) => x[0].length));
        const fence = "`".repeat(longest + 1);
        out.push(fence, b.text, fence, "");
        break;
      }
    }
  }
  return out.join("\n");
}

export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

const STYLE = `body{font-family:sans-serif;margin:2em;line-height:1.5}
table{border-collapse:collapse;margin:0.5em 0 1.5em}
th,td{border:1px solid #888;padding:0.25em 0.5em;vertical-align:top;text-align:left}
th{background:#eee}
pre{background:#f4f4f4;padding:0.5em;overflow-x:auto}
@media print{body{margin:0}th{background:none}}`;

export function toHtml(blocks: readonly Block[], lang: Lang): string {
  const e = escapeHtml;
  const body: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case "heading":
        body.push(`<h${b.level}>${e(b.text)}</h${b.level}>`);
        break;
      case "paragraph":
        body.push(`<p>${e(b.text)}</p>`);
        break;
      case "list": {
        const tag = b.ordered ? "ol" : "ul";
        body.push(`<${tag}>${b.items.map((i) => `<li>${e(i)}</li>`).join("")}</${tag}>`);
        break;
      }
      case "table":
        body.push(
          `<table><thead><tr>${b.head.map((c) => `<th>${e(c)}</th>`).join("")}</tr></thead><tbody>${b.rows
            .map((r) => `<tr>${r.map((c) => `<td>${e(c).replaceAll("\n", "<br>")}</td>`).join("")}</tr>`)
            .join("")}</tbody></table>`,
        );
        break;
      case "code":
        body.push(`<pre><code>${e(b.text)}</code></pre>`);
        break;
    }
  }
  const first = blocks.find((b) => b.type === "heading");
  const title = first && first.type === "heading" ? first.text : "scconf";
  return `<!DOCTYPE html>\n<html lang="${lang}">\n<head>\n<meta charset="utf-8">\n<title>${e(title)}</title>\n<style>\n${STYLE}\n</style>\n</head>\n<body>\n${body.join("\n")}\n</body>\n</html>\n`;
}
