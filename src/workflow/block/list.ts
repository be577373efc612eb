// `scconf block --list`: every listed block, emergency and policy, with its
// expiry and whether it is still rendered. Pure.
import { allBlocks } from "../../model/blocklist.js";
import { isActive } from "../../model/resolve.js";
import type { Inventory } from "../../model/types.js";
import { humanTime } from "./time.js";

export interface ListedBlock {
  target: string;
  source: "emergency" | "cloud";
  added: string;
  by?: string;
  ticket?: string;
  org?: string;
  reason: string;
  /** as written: an instant (emergency) or a date (cloud.yaml) */
  expires?: string;
  active: boolean;
}

export function listBlocks(inventory: Pick<Inventory, "cloud" | "emergency">, today: string): ListedBlock[] {
  const emergency = inventory.emergency ?? [];
  return allBlocks(inventory).map((b) => {
    const e = b.source === "emergency" ? emergency[b.index] : undefined;
    const c = b.source === "cloud" ? inventory.cloud.blocklist[b.index] : undefined;
    return {
      target: b.target?.text ?? b.written,
      source: b.source,
      added: e?.added ?? b.added,
      ...(e?.by ?? c?.by ? { by: (e?.by ?? c?.by)! } : {}),
      ...(e?.ticket ? { ticket: e.ticket } : {}),
      ...(e?.org ? { org: e.org } : {}),
      reason: e?.reason ?? b.reason,
      ...(e?.expires ?? c?.expires ? { expires: (e?.expires ?? c?.expires)! } : {}),
      active: isActive(b.expires, today),
    };
  });
}

export function formatBlockList(blocks: readonly ListedBlock[], timeZone: string, today: string, all: boolean): string {
  const shown = all ? blocks : blocks.filter((b) => b.active);
  if (shown.length === 0) return all ? "no blocks are listed\n" : "no blocks are in force\n";
  const when = (v: string) => (v.length === 10 ? `${v} (through that day)` : humanTime(v, timeZone));
  const lines = [`${all ? "Listed" : "Active"} blocks as of ${today}:`];
  for (const b of shown) {
    const status = b.active ? "" : "  EXPIRED: no longer rendered; the next apply removes it from the devices";
    lines.push(`  ${b.target.padEnd(34)} ${b.source === "emergency" ? "emergency" : "cloud.yaml"}  expires ${b.expires ? when(b.expires) : "never (until unblocked)"}${status}`);
    const who = [b.by ? `by ${b.by}` : "", b.ticket ? `ticket ${b.ticket}` : "", b.org ? `org ${b.org}` : ""].filter(Boolean).join(", ");
    lines.push(`      added ${b.added.length === 10 ? b.added : humanTime(b.added, timeZone)}${who ? ` ${who}` : ""}: ${b.reason}`);
  }
  return lines.join("\n") + "\n";
}
