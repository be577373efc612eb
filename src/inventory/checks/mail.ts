// Spam/malware exclusions are rendered on shared mail filters. An exclusion is
// scoped to the excluding organization's recipient domains by the renderers,
// but the sender itself must also be the organization's to exempt: not a range
// wide enough to hold half the internet, not another organization's or the
// cloud's own domains or addresses (that would exempt mail forged as theirs).
import { parsePrefix, type Prefix } from "../../model/net.js";
import type { Inventory, Org } from "../../model/types.js";
import type { Check, Reporter } from "./context.js";
import { addressSpace, domainIndex, isOwnSpace, nameOwners, parseOrThrow } from "./space.js";

function senderDomain(sender: string): string {
  const at = sender.lastIndexOf("@");
  return (at >= 0 ? sender.slice(at + 1) : sender).toLowerCase().replace(/\.$/, "");
}

function inDomain(name: string, domain: string): boolean {
  const d = domain.toLowerCase();
  return name === d || name.endsWith(`.${d}`);
}

/** The cloud's own addresses: its address plans (public and breakout ranges) and its infrastructure. */
function cloudAddresses(inventory: Inventory): Array<{ what: string; prefix: Prefix }> {
  const out: Array<{ what: string; prefix: Prefix }> = [];
  const { addressPlans, infrastructure } = inventory.cloud;
  const lists = [
    ["addressPlans.internet", addressPlans.internet],
    ["addressPlans.breakout", addressPlans.breakout],
    ["infrastructure.resolvers", infrastructure.resolvers],
    ["infrastructure.management", infrastructure.management],
  ] as const;
  for (const [field, list] of lists) for (const p of list) out.push({ what: `the cloud's ${field} ${p}`, prefix: parseOrThrow(p) });
  return out;
}

function overlap(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

function checkOrg(inventory: Inventory, report: Reporter, org: Org): void {
  const names = domainIndex(inventory);
  const max = inventory.cloud.spamExclusions.maxSenderPrefix;
  const cloudNets = cloudAddresses(inventory);
  org.spamExclusions.forEach((ex, i) => {
    const path = ["spamExclusions", i, "sender"];
    if (org.domains.length === 0 && !org.mailRelay.length) {
      report.org(org.id, "error", "tenant-isolation", ["spamExclusions", i],
        `the exclusion "${ex.name}" cannot be limited to ${org.id}'s own recipients: ${org.id} has no domains`,
        "an exclusion applies only to mail for the organization's own domains; the NOC assigns them");
    }
    const p = parsePrefix(ex.sender);
    if (p.ok) {
      const limit = p.prefix.family === 4 ? max.ipv4 : max.ipv6;
      if (p.prefix.length < limit) {
        report.org(org.id, "error", "tenant-isolation", path,
          `the excluded sender range ${p.prefix.text} is wider than /${limit}, the limit of cloud.yaml spamExclusions.maxSenderPrefix.ipv${p.prefix.family}`,
          "exclude the sending servers' own addresses, not a provider's or a continent's ranges");
      }
      const hit = cloudNets.find((c) => overlap(c.prefix, p.prefix));
      if (hit && !isOwnSpace(addressSpace(inventory), org.id, p.prefix)) {
        report.org(org.id, "error", "tenant-isolation", path,
          `the excluded sender range ${p.prefix.text} overlaps ${hit.what}`,
          "the cloud's own hosts are not senders an organization may exempt");
      }
      return;
    }
    const domain = senderDomain(ex.sender);
    const cloudDomain = inventory.cloud.domain.toLowerCase();
    if (inDomain(domain, cloudDomain)) {
      report.org(org.id, "error", "tenant-isolation", path,
        `the excluded sender ${ex.sender} is inside the cloud's domain ${cloudDomain}`,
        "mail forged as the cloud's own would pass unfiltered; the cloud's hosts are not senders an organization may exempt");
      return;
    }
    const owners = nameOwners(names, domain).filter((c) => c.org !== org.id);
    if (owners.length) {
      const o = owners[0]!;
      report.org(org.id, "error", "tenant-isolation", path,
        `the excluded sender ${ex.sender} is inside ${o.domain}, which belongs to ${o.org} (${report.whereInOrg(o.org, ["domains", o.index])})`,
        "an organization may exempt only senders outside the other organizations' domains");
      return;
    }
  });
}

export const checkSpamExclusions: Check = ({ inventory, report }) => {
  for (const org of inventory.orgs) checkOrg(inventory, report, org);
};
