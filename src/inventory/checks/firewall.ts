// Firewall logic per organization, in rule order: rules that can never be
// reached, rules that add nothing, and rules that cannot match any packet.
// References are resolved here only to get prefixes; whether they may be
// used at all is the tenant-isolation check's job, so an unresolvable rule
// is simply left out of the analysis (it is reported there).
import { isActive, resolveRef } from "../../model/resolve.js";
import type { Inventory, Org } from "../../model/types.js";
import type { Prefix } from "../../model/net.js";
import type { Check, Reporter } from "./context.js";
import { findShadowedRules, type ShadowRule, type ShadowStats } from "./shadow.js";

function resolveSide(inventory: Inventory, org: Org, refs: readonly string[]): Prefix[] | undefined {
  const out: Prefix[] = [];
  for (const ref of refs) {
    const r = resolveRef(inventory, org, ref);
    if (!r.ok) return undefined;
    out.push(...r.value.prefixes);
  }
  return out;
}

/** Runs the analysis for one organization; exported for the benchmark and the scaling test. */
export function checkOrgFirewall(inventory: Inventory, org: Org, today: string, report: Reporter, stats?: ShadowStats): void {
  const rules: ShadowRule[] = [];
  org.firewall.forEach((rule, i) => {
    const hasPorts = rule.protocol === "tcp" || rule.protocol === "udp";
    if (!hasPorts && rule.ports && rule.ports.length > 0) {
      report.org(org.id, "error", "firewall-ports", ["firewall", i, "ports"], `ports apply only to tcp and udp, not to ${rule.protocol}`,
        "remove the ports, or write one rule for tcp and one for udp");
    }
    // an expired rule is not rendered, so it neither shadows nor is shadowed
    if (!isActive(rule.expires, today)) return;
    const src = resolveSide(inventory, org, rule.from);
    const dst = resolveSide(inventory, org, rule.to);
    if (!src || !dst) return;
    const families = (ps: Prefix[]) => new Set(ps.map((p) => p.family));
    const srcFamilies = families(src);
    if (![...families(dst)].some((f) => srcFamilies.has(f))) {
      report.org(org.id, "warning", "firewall-family", ["firewall", i],
        `rule "${rule.name}" matches no traffic: its sources are IPv${[...srcFamilies].join("/IPv")} only and its destinations are not`,
        "use sources and destinations of the same address family");
      return;
    }
    rules.push({ index: i, protocol: rule.protocol, src, dst, ports: rule.ports, action: rule.action });
  });

  for (const f of findShadowedRules(rules, stats)) {
    const later = org.firewall[f.rule]!;
    const earlier = org.firewall[f.by]!;
    const where = report.whereInOrg(org.id, ["firewall", f.by]);
    if (f.sameAction) {
      report.org(org.id, "warning", "redundant-rule", ["firewall", f.rule],
        `redundant: rule "${earlier.name}" at ${where} already matches all traffic of "${later.name}" with the same action (${earlier.action})`,
        "remove this rule, or narrow the earlier one");
    } else {
      report.org(org.id, "error", "shadowed-rule", ["firewall", f.rule],
        `never reached: rule "${earlier.name}" at ${where} already matches all traffic of "${later.name}" and ${earlier.action}s it; this rule would ${later.action}`,
        `move "${later.name}" above "${earlier.name}", or narrow "${earlier.name}"`);
    }
  }
}

export const checkFirewall: Check = ({ inventory, options, report }) => {
  for (const org of inventory.orgs) checkOrgFirewall(inventory, org, options.today, report);
};
