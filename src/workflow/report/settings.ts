// The settings list (各種設定一覧, R5): every organization's settings as the
// current inventory states them, with Japanese and English headings, to hand
// to the organization. Pure: built from the validated inventory alone.
import { CHANGE_KIND_TITLES, type ChangeKind } from "../../model/kinds.js";
import { isActive } from "../../model/resolve.js";
import type { Inventory, Org } from "../../model/types.js";
import { bi, NONE, type Bilingual, type Column, type ReportDocument, type Row, type Section, type Table } from "./document.js";

export interface SettingsReportOptions {
  /** YYYY-MM-DD: items that expired before it are marked (they are not rendered to the devices) */
  today: string;
  /** when the report was made, shown in its header (local time text) */
  generatedAt: string;
  /** only this organization */
  org?: string;
}

const ORG_KIND: Record<Org["kind"], Bilingual> = {
  prefecture: bi("県", "prefecture"),
  city: bi("市", "city"),
  town: bi("町", "town"),
  union: bi("広域連合・一部事務組合", "union"),
};

const word = (table: Record<string, Bilingual>, value: string): string => {
  const w = table[value];
  return w ? `${w.ja} (${w.en})` : value;
};
const ACTION = { accept: bi("許可", "accept"), drop: bi("破棄", "drop"), reject: bi("拒否", "reject") };
const DIRECTION = { source: bi("送信元", "source"), destination: bi("宛先", "destination"), both: bi("両方", "both") };
const SITE = { official: bi("公式サイト", "official"), disaster: bi("災害用サイト", "disaster"), other: bi("その他", "other") };
const WAF = { block: bi("遮断", "block"), detect: bi("検知のみ", "detect"), off: bi("無効", "off") };
const XFF = { append: bi("追加", "append"), replace: bi("置換", "replace") };
const VIEW = { external: bi("外部", "external"), internal: bi("内部", "internal"), both: bi("両方", "both") };
const BYPASS = { spam: bi("スパム", "spam"), malware: bi("マルウェア", "malware"), both: bi("両方", "both") };
const LIST = { block: bi("遮断", "block"), allow: bi("許可", "allow") };
const yesNo = (v: boolean): string => (v ? "あり (yes)" : "なし (no)");

const col = (ja: string, en: string, role?: Column["role"]): Column => ({ title: bi(ja, en), ...(role ? { role } : {}) });
const STATUS = col("状態", "Status", "status");
const EXPIRES = col("有効期限", "Expires", "expires");
const ACTIVE = "有効 / active";

function ports(list: ReadonlyArray<{ from: number; to: number }> | undefined): string {
  if (!list?.length) return "すべて (any)";
  return list.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`)).join(", ");
}

function expiring(expires: string | undefined, today: string): Pick<Row, "expired"> {
  return isActive(expires, today) ? {} : { expired: true };
}

function table(kind: ChangeKind, columns: Column[], rows: Row[]): Table {
  return { id: kind, title: CHANGE_KIND_TITLES[kind], columns, rows, empty: bi("設定なし", "no settings") };
}

function kindTables(org: Org, today: string): Table[] {
  const tables: Table[] = [];
  tables.push(
    table(
      "firewall",
      [col("順位", "Order"), col("ルール名", "Rule", "name"), col("送信元", "From"), col("宛先", "To"), col("プロトコル", "Protocol"), col("ポート", "Ports"), col("動作", "Action"), col("ログ", "Log"), EXPIRES, STATUS, col("備考", "Comment", "note")],
      org.firewall.map((r, i) => ({
        cells: [String(i + 1), r.name, r.from.join(", "), r.to.join(", "), r.protocol, r.protocol === "tcp" || r.protocol === "udp" ? ports(r.ports) : "", word(ACTION, r.action), yesNo(r.log), r.expires ?? "", ACTIVE, r.comment ?? ""],
        ...expiring(r.expires, today),
      })),
    ),
  );
  const url: Row[] = [];
  for (const list of ["block", "allow"] as const) {
    const f = org.urlFilter?.[list];
    if (!f) continue;
    for (const d of f.domains) url.push({ cells: [word(LIST, list), "ドメイン (domain)", d] });
    for (const u of f.urls) url.push({ cells: [word(LIST, list), "URL", u] });
    for (const c of f.categories) url.push({ cells: [word(LIST, list), "カテゴリ (category)", c] });
  }
  tables.push(table("urlFilter", [col("区分", "List"), col("種類", "Type"), col("値", "Value", "name")], url));
  tables.push(
    table(
      "ipsExceptions",
      [col("名前", "Name", "name"), col("シグネチャID", "Signature"), col("対象", "Scope"), col("方向", "Direction"), EXPIRES, STATUS, col("理由", "Reason", "note")],
      org.ipsExceptions.map((e) => ({
        cells: [e.name, String(e.signature), e.scope.join(", "), word(DIRECTION, e.direction), e.expires ?? "", ACTIVE, e.reason],
        ...expiring(e.expires, today),
      })),
    ),
  );
  tables.push(
    table(
      "reverseProxy",
      [col("名前", "Name", "name"), col("ホスト名", "Hostname"), col("サイト種別", "Site"), col("転送先", "Origin"), col("CDN", "CDN"), col("WAF", "WAF"), col("X-Forwarded-For", "X-Forwarded-For"), col("備考", "Comment", "note")],
      org.reverseProxy.map((m) => ({
        cells: [m.name, m.hostname, word(SITE, m.site), `${m.origin.address}:${m.origin.port}${m.origin.tls ? " (TLS)" : ""}`, yesNo(m.cdn), word(WAF, m.waf), word(XFF, m.xff), m.comment ?? ""],
      })),
    ),
  );
  const dns: Row[] = [];
  for (const z of org.dns) for (const r of z.records) dns.push({ cells: [z.zone, r.name, r.type, r.value, r.ttl === undefined ? "" : String(r.ttl), word(VIEW, r.view)] });
  tables.push(table("dns", [col("ゾーン", "Zone"), col("名前", "Name", "name"), col("タイプ", "Type"), col("値", "Value"), col("TTL", "TTL"), col("ビュー", "View")], dns));
  tables.push(
    table(
      "mailRelay",
      [col("ドメイン", "Domain", "name"), col("転送先", "Next hop"), col("ポート", "Port"), col("MX参照", "MX lookup"), col("備考", "Comment", "note")],
      org.mailRelay.map((m) => ({ cells: [m.domain, m.nextHop, String(m.port), yesNo(m.mx), m.comment ?? ""] })),
    ),
  );
  tables.push(
    table(
      "spamExclusions",
      [col("名前", "Name", "name"), col("送信元", "Sender"), col("除外対象", "Bypass"), EXPIRES, STATUS, col("理由", "Reason", "note")],
      org.spamExclusions.map((s) => ({ cells: [s.name, s.sender, word(BYPASS, s.bypass), s.expires ?? "", ACTIVE, s.reason], ...expiring(s.expires, today) })),
    ),
  );
  return tables;
}

const list = (items: string[]): string => (items.length ? items.join("; ") : `${NONE.ja} (${NONE.en})`);

export function orgSection(org: Org, today: string): Section {
  const facts: Section["facts"] = [
    { label: bi("団体名", "Organization"), value: `${org.name.ja} (${org.name.en})` },
    { label: bi("団体ID", "ID"), value: org.id },
    { label: bi("種別", "Kind"), value: `${ORG_KIND[org.kind].ja} (${ORG_KIND[org.kind].en})` },
    { label: bi("連絡先", "Contacts"), value: list(org.contacts.map((c) => [c.name, c.role, c.email, c.phone].filter(Boolean).join(" "))) },
    { label: bi("内部ネットワーク", "Networks"), value: list(org.networks.map((n) => `${n.name} ${n.cidr}${n.description ? ` (${n.description})` : ""}`)) },
    { label: bi("グローバルアドレス", "Global addresses"), value: list(org.globalAddresses.map((a) => `${a.name} ${a.address}${a.description ? ` (${a.description})` : ""}`)) },
    { label: bi("ドメイン", "Domains"), value: list(org.domains) },
    {
      label: bi("通信量の上限", "Bandwidth cap"),
      value: org.bandwidth ? `受信 (in) ${org.bandwidth.ingressMbps} Mbps, 送信 (out) ${org.bandwidth.egressMbps} Mbps` : `${NONE.ja} (${NONE.en})`,
    },
    { label: bi("他団体への共有", "Exports"), value: list(org.exports.map((e) => `${e.name} → ${e.to.join(", ")}`)) },
  ];
  return { id: org.id, heading: `${org.name.ja} (${org.name.en})`, facts, tables: kindTables(org, today), pageBreak: true };
}

export class UnknownOrgError extends Error {
  override name = "UnknownOrgError";
}

export function settingsReport(inventory: Inventory, options: SettingsReportOptions): ReportDocument {
  const orgs = options.org ? inventory.orgs.filter((o) => o.id === options.org) : inventory.orgs;
  if (options.org && !orgs.length) throw new UnknownOrgError(`no organization "${options.org}" in the inventory`);
  return {
    title: options.org && orgs[0] ? bi(`各種設定一覧 — ${orgs[0].name.ja}`, `Settings list — ${orgs[0].name.en}`) : bi("各種設定一覧", "Settings list"),
    meta: [
      { label: bi("作成日時", "Generated"), value: options.generatedAt },
      { label: bi("インベントリ版", "Inventory revision"), value: inventory.revision },
      { label: bi("基準日", "As of"), value: options.today },
      { label: bi("対象団体数", "Organizations"), value: String(orgs.length) },
    ],
    sections: orgs.map((o) => orgSection(o, options.today)),
    notes: ["期限切れの項目は一覧に残していますが、機器には設定されていません。 / Expired items are listed but not configured on the devices."],
  };
}
