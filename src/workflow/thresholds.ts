// Safety thresholds, after octoDNS's Plan.raise_if_unsafe: a plan that removes
// or changes more than a share of what exists is refused unless forced and
// approved. Judged per organization and change kind, per DNS zone (instead of
// the organization's whole dns kind) and per device (over the kinds it
// carries), each only where at least `minEntries` entries exist. Pure.
import type { ChangeKind } from "../model/kinds.js";
import type { Device } from "../model/types.js";
import type { Intent, IntentChange } from "../plan/intent.js";
import type { ChangePolicy } from "./policy.js";

export interface ThresholdFinding {
  scope: "organization" | "zone" | "device";
  /** "tsu · firewall", "city.tsu.example.jp", "fw-nft-1" */
  name: string;
  existing: number;
  removedOrChanged: number;
  share: number;
  limit: number;
  exceeded: boolean;
}

interface Group {
  scope: ThresholdFinding["scope"];
  name: string;
  has: (item: { org: string; kind: ChangeKind; key: string }) => boolean;
}

const zoneOf = (key: string): string => key.split(" ")[0] ?? "";

export function checkThresholds(before: Intent, changes: readonly IntentChange[], policy: ChangePolicy, devices: readonly Device[]): ThresholdFinding[] {
  const { maxRemoveOrChangeShare: limit, minEntries } = policy.thresholds;
  const groups: Group[] = [];
  const seen = new Set<string>();
  for (const item of Object.values(before)) {
    const name = item.kind === "dns" ? zoneOf(item.key) : `${item.org} · ${item.kind}`;
    if (seen.has(name)) continue;
    seen.add(name);
    groups.push(
      item.kind === "dns"
        ? { scope: "zone", name, has: (x) => x.kind === "dns" && zoneOf(x.key) === name }
        : { scope: "organization", name, has: (x) => x.org === item.org && x.kind === item.kind },
    );
  }
  for (const d of devices) groups.push({ scope: "device", name: d.name, has: (x) => d.kinds.includes(x.kind) });

  const hits = changes.filter((c) => c.op !== "add");
  const findings: ThresholdFinding[] = [];
  for (const g of groups) {
    const existing = Object.values(before).filter(g.has).length;
    const removedOrChanged = hits.filter(g.has).length;
    if (!removedOrChanged || existing === 0) continue;
    const share = removedOrChanged / existing;
    findings.push({ scope: g.scope, name: g.name, existing, removedOrChanged, share, limit, exceeded: existing >= minEntries && share > limit });
  }
  return findings;
}

export function describeFinding(f: ThresholdFinding): string {
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  return `${f.scope} ${f.name}: ${f.removedOrChanged} of ${f.existing} removed or changed (${pct(f.share)} > ${pct(f.limit)})`;
}
