// Temporary settings: a firewall rule, IPS exception, spam exclusion or block
// that has expired is no longer rendered, and one about to expire will
// silently change behaviour soon. Both are warnings so that the NOC renews or
// removes them on purpose, not by surprise.
import type { PathSegment } from "../diagnostics.js";
import type { Check } from "./context.js";

/** YYYY-MM-DD plus n days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

type Verdict = { code: "expired" | "expiring"; message: string; hint: string } | undefined;

export function expiryVerdict(what: string, expires: string | undefined, today: string, warningDays: number): Verdict {
  if (expires === undefined) return undefined;
  if (expires < today) {
    return { code: "expired", message: `${what} expired on ${expires} and is no longer rendered`, hint: "remove it, or extend expires if it is still needed" };
  }
  if (expires <= addDays(today, warningDays)) {
    const days = daysBetween(today, expires);
    const when = days === 0 ? "today (it is rendered through that day)" : `in ${days} day(s), on ${expires}`;
    return { code: "expiring", message: `${what} expires ${when}`, hint: "extend expires if it is still needed; after that day it is no longer rendered" };
  }
  return undefined;
}

export const checkExpiry: Check = ({ inventory, options, report }) => {
  const days = inventory.cloud.defaults.expiryWarningDays;
  for (const org of inventory.orgs) {
    const lists: Array<[string, string, ReadonlyArray<{ name: string; expires?: string | undefined }>]> = [
      ["firewall", "firewall rule", org.firewall],
      ["ipsExceptions", "IPS exception", org.ipsExceptions],
      ["spamExclusions", "spam exclusion", org.spamExclusions],
    ];
    for (const [field, what, list] of lists) {
      list.forEach((item, i) => {
        const v = expiryVerdict(`${what} "${item.name}"`, item.expires, options.today, days);
        if (v) report.org(org.id, "warning", v.code, [field, i, "expires"] as PathSegment[], v.message, v.hint);
      });
    }
  }
  inventory.cloud.blocklist.forEach((entry, i) => {
    const v = expiryVerdict(`the block of ${entry.target}`, entry.expires, options.today, days);
    if (v) report.cloud("warning", v.code, ["blocklist", i, "expires"], v.message, v.hint);
  });
};
