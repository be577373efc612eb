// The text the NOC sends to the affected organizations' contacts right after
// an emergency block (the report within 15 minutes, 11(8)エ), in Japanese and
// English. Pure: the CLI prints it.
import type { BlockTarget } from "../../model/blocklist.js";
import type { Org } from "../../model/types.js";
import { humanTime } from "./time.js";

export interface BlockNotice {
  action: "block" | "unblock";
  target: BlockTarget;
  reason: string;
  ticket?: string;
  /** ISO instants */
  detected: string;
  done: string;
  expires?: string;
  timeZone: string;
  /** the organizations told: the named one, or all for a cloud-wide block */
  orgs: Org[];
  cloudWide: boolean;
  /** the devices that now run the change */
  devices: string[];
  /** devices that did not get it (conflict, unreachable, failed) */
  missing: string[];
  cloudName: { ja: string; en: string };
}

const KIND = {
  prefix: { ja: "アドレス", en: "address" },
  domain: { ja: "ドメイン", en: "domain" },
  url: { ja: "URL", en: "URL" },
} as const;

function describe(t: BlockTarget): string {
  return t.kind === "prefix" && (t.prefix.length === 32 || t.prefix.length === 128) ? t.text.split("/")[0]! : t.text;
}

export function notificationText(n: BlockNotice): string {
  const target = describe(n.target);
  const ticket = n.ticket ?? "-";
  const t = (iso: string) => humanTime(iso, n.timeZone);
  const blocking = n.action === "block";
  const scopeJa = n.cloudWide ? "全接続団体" : n.orgs.map((o) => o.name.ja).join("、");
  const scopeEn = n.cloudWide ? "all connected organizations" : n.orgs.map((o) => o.name.en).join(", ");
  const lines: string[] = [];
  lines.push("──────── 通知文 / Notification ────────");
  lines.push(`件名: 【${n.cloudName.ja}】緊急${blocking ? "遮断" : "遮断解除"}のお知らせ (${ticket})`);
  lines.push("");
  lines.push(`${scopeJa} ご担当者様`);
  lines.push("");
  if (blocking) {
    lines.push(`セキュリティクラウドにおいて、次の通信を緊急に遮断しましたのでお知らせします。`);
  } else {
    lines.push(`セキュリティクラウドにおいて、次の緊急遮断を解除しましたのでお知らせします。`);
  }
  lines.push(`  対象${KIND[n.target.kind].ja}: ${target}`);
  lines.push(`  理由: ${n.reason}`);
  lines.push(`  管理番号: ${ticket}`);
  lines.push(`  検知日時: ${t(n.detected)}`);
  lines.push(`  ${blocking ? "遮断" : "解除"}日時: ${t(n.done)}`);
  if (blocking) lines.push(`  遮断期限: ${n.expires ? t(n.expires) : "解除まで"}`);
  lines.push(`  対象範囲: ${scopeJa}`);
  if (n.missing.length) lines.push(`  未反映の機器: ${n.missing.join(", ")}（対応中）`);
  if (blocking) lines.push(`該当する通信の記録がある端末は、感染の疑いがあるため調査をお願いします。`);
  lines.push("");
  lines.push(`Subject: [${n.cloudName.en}] Emergency ${blocking ? "block" : "block lifted"} (${ticket})`);
  lines.push("");
  lines.push(`To the contacts of ${scopeEn},`);
  lines.push("");
  lines.push(blocking ? "The security cloud has blocked the following traffic as an emergency measure." : "The security cloud has lifted the following emergency block.");
  lines.push(`  Target ${KIND[n.target.kind].en}: ${target}`);
  lines.push(`  Reason: ${n.reason}`);
  lines.push(`  Ticket: ${ticket}`);
  lines.push(`  Detected: ${t(n.detected)}`);
  lines.push(`  ${blocking ? "Blocked" : "Lifted"}: ${t(n.done)}`);
  if (blocking) lines.push(`  Expires: ${n.expires ? t(n.expires) : "until lifted"}`);
  lines.push(`  Scope: ${scopeEn}`);
  if (n.missing.length) lines.push(`  Not yet in force on: ${n.missing.join(", ")} (being handled)`);
  if (blocking) lines.push("Please examine any terminal that has communicated with this target: it may be infected.");
  lines.push("");
  lines.push("宛先 / To:");
  for (const o of n.orgs) {
    for (const c of o.contacts) {
      lines.push(`  ${o.id.padEnd(12)} ${o.name.ja} ${c.name}${c.role ? ` (${c.role})` : ""} <${c.email}>${c.phone ? ` ${c.phone}` : ""}`);
    }
  }
  lines.push("────────────────────────────────────────");
  return lines.join("\n") + "\n";
}
