// The intent of the inventory as a flat map of items, so that two states
// (last applied vs now, base vs head) compare as "Tsu city · firewall · +
// allow-https-cms". Pure: computed from the model alone.
import { createHash } from "node:crypto";
import { CHANGE_KINDS, type ChangeKind } from "../model/kinds.js";
import type { Inventory, Org } from "../model/types.js";

/** Key prefix of the intent item for a claimed domain (kind dns): never minor, never "inside its own file". */
export const DOMAIN_CLAIM_KEY = "domain claim ";

export interface IntentItem {
  org: string;
  kind: ChangeKind;
  /** stable key within org+kind, e.g. the rule name or "A www 192.0.2.1" */
  key: string;
  /** one line a human reads, e.g. "internet → web tcp/443 accept" */
  summary: string;
  /** hash of the item's full content: a change of any field changes it */
  hash: string;
  /** for firewall rules: the position in the organization's ordered list */
  order?: number;
}

/** org/kind/key -> item */
export type Intent = Record<string, IntentItem>;

function hashOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

function ports(list: ReadonlyArray<{ from: number; to: number }> | undefined): string {
  if (!list?.length) return "";
  return "/" + list.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`)).join(",");
}

function items(org: Org): Array<Omit<IntentItem, "hash"> & { value: unknown }> {
  const out: Array<Omit<IntentItem, "hash"> & { value: unknown }> = [];
  const add = (kind: ChangeKind, key: string, summary: string, value: unknown, order?: number) =>
    out.push({ org: org.id, kind, key, summary, value, ...(order !== undefined ? { order } : {}) });
  // a rule's position is not part of its hash: inserting one rule must not
  // report every later rule as changed; a reordering is reported once (diffIntent)
  org.firewall.forEach((r, i) =>
    add("firewall", r.name, `${r.from.join(",")} → ${r.to.join(",")} ${r.protocol}${ports(r.ports)} ${r.action}${r.expires ? ` until ${r.expires}` : ""}`, r, i),
  );
  // sharing an object with other organizations opens their firewall rules to it
  for (const e of org.exports) add("firewall", `export ${e.name}`, `export ${e.name} to ${e.to.join(",")}`, e);
  if (org.bandwidth) add("firewall", "bandwidth", `bandwidth cap in ${org.bandwidth.ingressMbps} Mbps / out ${org.bandwidth.egressMbps} Mbps`, org.bandwidth);
  if (org.urlFilter) {
    for (const list of ["block", "allow"] as const) {
      const f = org.urlFilter[list];
      for (const d of f.domains) add("urlFilter", `${list} domain ${d}`, `${list} domain ${d}`, d);
      for (const u of f.urls) add("urlFilter", `${list} url ${u}`, `${list} URL ${u}`, u);
      for (const c of f.categories) add("urlFilter", `${list} category ${c}`, `${list} category ${c}`, c);
    }
  }
  for (const e of org.ipsExceptions) add("ipsExceptions", e.name, `signature ${e.signature} for ${e.scope.join(",")}${e.expires ? ` until ${e.expires}` : ""}`, e);
  for (const m of org.reverseProxy) add("reverseProxy", m.name, `${m.hostname} → ${m.origin.address}:${m.origin.port} (${m.site}${m.cdn ? ", CDN" : ""})`, m);
  // a claimed domain is a change to the namespace all organizations share (the NOC assigns domains)
  for (const d of org.domains) add("dns", `${DOMAIN_CLAIM_KEY}${d}`, `claims the domain ${d}`, d);
  for (const z of org.dns) {
    for (const r of z.records) {
      const key = `${z.zone} ${r.name} ${r.type} ${r.value}`;
      add("dns", key, `${r.name === "@" ? z.zone : `${r.name}.${z.zone}`} ${r.type} ${r.value}`, r);
    }
  }
  for (const m of org.mailRelay) add("mailRelay", m.domain, `${m.domain} → ${m.nextHop}:${m.port}`, m);
  for (const s of org.spamExclusions) add("spamExclusions", s.name, `${s.sender} bypasses ${s.bypass}${s.expires ? ` until ${s.expires}` : ""}`, s);
  return out;
}

export function intentOf(inventory: Inventory): Intent {
  const intent: Intent = {};
  for (const org of inventory.orgs) {
    for (const it of items(org)) {
      const { value, ...rest } = it;
      intent[`${it.org}/${it.kind}/${it.key}`] = { ...rest, hash: hashOf(value) };
    }
  }
  return intent;
}

export type IntentOperation = "add" | "change" | "remove";

export interface IntentChange {
  op: IntentOperation;
  org: string;
  kind: ChangeKind;
  key: string;
  /** the new summary (the old one for a removal) */
  summary: string;
  before?: string;
  /** set by the change policy (src/workflow/policy.ts classify) */
  class?: "minor" | "needsApproval";
  /** the change may only be applied inside a maintenance window */
  needsWindow?: boolean;
}

export function diffIntent(before: Intent, after: Intent): IntentChange[] {
  const changes: IntentChange[] = [];
  for (const [id, item] of Object.entries(after)) {
    const old = before[id];
    if (!old) changes.push({ op: "add", org: item.org, kind: item.kind, key: item.key, summary: item.summary });
    else if (old.hash !== item.hash) changes.push({ op: "change", org: item.org, kind: item.kind, key: item.key, summary: item.summary, before: old.summary });
  }
  for (const [id, item] of Object.entries(before)) {
    if (!after[id]) changes.push({ op: "remove", org: item.org, kind: item.kind, key: item.key, summary: item.summary });
  }
  changes.push(...reorderings(before, after));
  const kindOrder = (k: ChangeKind) => CHANGE_KINDS.indexOf(k);
  return changes.sort((a, b) => a.org.localeCompare(b.org) || kindOrder(a.kind) - kindOrder(b.kind) || a.key.localeCompare(b.key));
}

/** Firewall rules kept on both sides whose relative order changed: one change per organization. */
function reorderings(before: Intent, after: Intent): IntentChange[] {
  const byOrg = new Map<string, Array<{ key: string; was: number; now: number }>>();
  for (const [id, item] of Object.entries(after)) {
    const old = before[id];
    if (item.kind !== "firewall" || item.order === undefined || old?.order === undefined) continue;
    const list = byOrg.get(item.org) ?? [];
    list.push({ key: item.key, was: old.order, now: item.order });
    byOrg.set(item.org, list);
  }
  const out: IntentChange[] = [];
  for (const [org, list] of byOrg) {
    const was = [...list].sort((a, b) => a.was - b.was).map((x) => x.key);
    const now = [...list].sort((a, b) => a.now - b.now).map((x) => x.key);
    if (was.join("\u0000") !== now.join("\u0000")) {
      out.push({ op: "change", org, kind: "firewall", key: "(rule order)", summary: `rule order: ${now.join(", ")}`, before: `rule order: ${was.join(", ")}` });
    }
  }
  return out;
}

export interface IntentSummaryRow {
  org: string;
  kind: ChangeKind;
  add: number;
  change: number;
  remove: number;
}

export function summarizeIntent(changes: readonly IntentChange[]): IntentSummaryRow[] {
  const rows = new Map<string, IntentSummaryRow>();
  for (const c of changes) {
    const k = `${c.org}\u0000${c.kind}`;
    const row = rows.get(k) ?? { org: c.org, kind: c.kind, add: 0, change: 0, remove: 0 };
    row[c.op]++;
    rows.set(k, row);
  }
  return [...rows.values()];
}
