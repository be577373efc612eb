import { describe, expect, it } from "vitest";
import { toCsv } from "../../src/workflow/report/csv.js";
import { toHtml } from "../../src/workflow/report/html.js";
import { toMarkdown } from "../../src/workflow/report/markdown.js";
import { settingsReport } from "../../src/workflow/report/settings.js";
import { loadFixture } from "../helpers/inventory.js";

const inventory = loadFixture();
const report = (org?: string, today = "2026-11-27") => settingsReport(inventory, { today, generatedAt: "2026-11-27 10:00 (Asia/Tokyo)", ...(org ? { org } : {}) });

describe("the settings list (各種設定一覧)", () => {
  it("has one section per organization with its profile and a table per change kind, headed in Japanese and English", () => {
    const doc = report();
    expect(doc.sections.map((s) => s.id)).toEqual(inventory.orgs.map((o) => o.id));
    const md = toMarkdown(report("tsu"));
    expect(md).toContain("# 各種設定一覧 — 津市 / Settings list — Tsu City");
    expect(md).toContain("- インベントリ版 / Inventory revision: test-revision");
    expect(md).toContain("## 津市 (Tsu City)");
    expect(md).toContain("| 通信量の上限 / Bandwidth cap | 受信 (in) 500 Mbps, 送信 (out) 300 Mbps |");
    expect(md).toContain("### ファイアウォールへのアクセス制限設定 / Firewall access restrictions");
    expect(md).toContain("| 順位 / Order | ルール名 / Rule | 送信元 / From | 宛先 / To |");
    expect(md).toContain("| 1 | web-in | internet | web | tcp | 443 | 許可 (accept) | あり (yes) |  | 有効 / active |  |");
    expect(md).toContain("| city.tsu.example.jp | www | CNAME | city.tsu.example.jp. |  | 外部 (external) |");
  });

  it("marks an expired item instead of leaving it out", () => {
    const md = toMarkdown(report("tsu", "2027-04-01"));
    expect(md).toMatch(/\| school-net \| 192\.0\.2\.0\/28 \| 両方 \(both\) \| 2027-03-31 \| \*\*期限切れ \/ expired\*\* \|/);
    expect(toHtml(report("tsu", "2027-04-01"))).toMatch(/<tr class="expired"><td>school-net<\/td>/);
  });

  it("writes CSV for Excel: BOM, CRLF, an organization and a kind column on every row", () => {
    const csv = toCsv(report());
    expect(csv.startsWith("\uFEFF団体ID / Org ID,団体名 / Organization,設定種別 / Kind,")).toBe(true);
    expect(csv.split("\r\n").every((l) => !l.includes("\n"))).toBe(true);
    expect(csv).toContain("tsu,津市 (Tsu City),ファイアウォールへのアクセス制限設定 / Firewall access restrictions,1,web-in,順位: 1; 送信元: internet; 宛先: web; プロトコル: tcp; ポート: 443; 動作: 許可 (accept); ログ: あり (yes),,有効 / active,");
  });

  it("escapes what an organization wrote: no HTML, no broken table, no spreadsheet formula", () => {
    const evil = structuredClone(inventory);
    const tsu = evil.orgs.find((o) => o.id === "tsu")!;
    tsu.firewall[0]!.comment = `=HYPERLINK("http://x") | <script>alert(1)</script>`;
    const doc = settingsReport(evil, { today: "2026-11-27", generatedAt: "now", org: "tsu" });
    const html = toHtml(doc);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    const md = toMarkdown(doc);
    expect(md).toContain("\\| &lt;script&gt;");
    expect(toCsv(doc)).toContain(`"'=HYPERLINK(""http://x"") | <script>alert(1)</script>"`);
  });
});
