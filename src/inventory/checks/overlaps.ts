// Address plan integrity: no two organizations may claim overlapping space
// (a firewall rule for one would silently apply to the other), global
// addresses come from the cloud's address plans, and nobody claims the
// cloud's own infrastructure.
import { prefixContains, prefixOverlaps, type Prefix } from "../../model/net.js";
import type { Check } from "./context.js";
import { describeClaim } from "./isolation.js";
import { addressSpace, parseOrThrow } from "./space.js";

/** How many other claims one finding names; the rest are counted. */
const NAMED = 3;

export const checkOverlaps: Check = ({ inventory, report }) => {
  const space = addressSpace(inventory);
  const cloud = inventory.cloud;
  const plans: Prefix[] = [...cloud.addressPlans.internet, ...cloud.addressPlans.breakout].map(parseOrThrow);
  const infrastructure: Array<{ field: string; index: number; prefix: Prefix }> = [];
  for (const field of ["resolvers", "management"] as const) {
    cloud.infrastructure[field].forEach((t, index) => infrastructure.push({ field, index, prefix: parseOrThrow(t) }));
  }

  for (const claim of space.claims) {
    const path = [claim.field, claim.index, claim.field === "networks" ? "cidr" : "address"];
    // both sides get a finding: each file is reviewed by a different organization
    const others = space.trie.overlapping(claim.prefix).filter((c) => c.org !== claim.org);
    if (others.length) {
      const shown = others.slice(0, NAMED).map((c) => describeClaim(report, c)).join("; ");
      const more = others.length > NAMED ? ` and ${others.length - NAMED} more` : "";
      report.org(claim.org, "error", "address-overlap", path,
        `${claim.prefix.text} of ${claim.org} overlaps ${shown}${more}`,
        "every organization's networks and global addresses must be disjoint; agree on the address plan with the NOC");
    }
    if (claim.field === "globalAddresses" && !plans.some((p) => prefixContains(p, claim.prefix))) {
      report.org(claim.org, "error", "address-plan", path,
        `the global address ${claim.prefix.text} is outside the cloud's address plans (${plans.map((p) => p.text).join(", ")})`,
        "global addresses are assigned from addressPlans.internet or addressPlans.breakout in cloud.yaml");
    }
    for (const infra of infrastructure) {
      if (prefixOverlaps(infra.prefix, claim.prefix)) {
        report.org(claim.org, "error", "address-overlap", path,
          `${claim.prefix.text} of ${claim.org} overlaps the cloud's ${infra.field} range ${infra.prefix.text} (${report.whereInCloud(["infrastructure", infra.field, infra.index])})`,
          "the cloud's infrastructure addresses are reserved for the NOC");
      }
    }
  }
};
