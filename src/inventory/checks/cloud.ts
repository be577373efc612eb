// cloud.yaml, owned by the NOC: the address plans, the emergency blocklist and
// the change policy that decides what needs approval and when work may run.
import { embeddedIPv4, parsePrefix, prefixOverlaps, type Prefix } from "../../model/net.js";
import { toAsciiDomain } from "../../model/values.js";
import type { Check } from "./context.js";
import { describeClaim } from "./isolation.js";
import { addressSpace, parseOrThrow } from "./space.js";

/** The specification's minimum global addresses per line (11(10)); IPv4 only, as the specification counts them. */
const PLAN_MINIMUM = { internet: 256n, breakout: 128n } as const;

function v4Size(prefixes: readonly Prefix[]): bigint {
  return prefixes.filter((p) => p.family === 4).reduce((n, p) => n + (p.end - p.start + 1n), 0n);
}

export const checkCloud: Check = ({ inventory, report }) => {
  const cloud = inventory.cloud;
  const space = addressSpace(inventory);
  const plans = {
    internet: cloud.addressPlans.internet.map(parseOrThrow),
    breakout: cloud.addressPlans.breakout.map(parseOrThrow),
  };

  for (const line of ["internet", "breakout"] as const) {
    const size = v4Size(plans[line]);
    if (size < PLAN_MINIMUM[line]) {
      report.cloud("warning", "address-plan", ["addressPlans", line],
        `the ${line} plan holds ${size} IPv4 addresses; the specification asks for at least ${PLAN_MINIMUM[line]} (11(10))`);
    }
  }
  plans.breakout.forEach((b, i) => {
    const clash = plans.internet.find((p) => prefixOverlaps(p, b));
    if (clash) {
      report.cloud("error", "address-plan", ["addressPlans", "breakout", i],
        `the breakout plan ${b.text} overlaps the internet plan ${clash.text}`, "the two lines have separate address blocks");
    }
  });

  // Breakout prefixes are the SaaS providers' addresses that leave through the
  // local breakout line. They are destinations outside the cloud: one inside
  // our own plans or an organization's space would route our own traffic out.
  const ours = [...plans.internet, ...plans.breakout];
  cloud.breakout.forEach((svc, i) => {
    svc.prefixes.forEach((text, j) => {
      const p = parseOrThrow(text);
      const plan = ours.find((o) => prefixOverlaps(o, p));
      const org = space.trie.overlapping(p)[0];
      if (plan || org) {
        report.cloud("error", "breakout-prefix", ["breakout", i, "prefixes", j],
          `the breakout prefix ${p.text} of ${svc.name} overlaps ${plan ? `the cloud's own address plan ${plan.text}` : describeClaim(report, org!)}`,
          "breakout prefixes are the SaaS provider's published addresses, outside the cloud's and the organizations' space");
      }
    });
  });

  const blocked = new Map<string, number>();
  cloud.blocklist.forEach((entry, i) => {
    const path = ["blocklist", i, "target"];
    const written = parsePrefix(entry.target);
    const embedded = written.ok ? embeddedIPv4(written.prefix) : undefined;
    // the guards below judge the IPv4 prefix an IPv4-embedding IPv6 target stands for
    const asPrefix = embedded ? { ok: true as const, prefix: embedded.v4 } : written;
    if (embedded && written.ok) {
      report.cloud("error", "blocklist-target", path, `${entry.target} is the IPv4 prefix ${embedded.v4.text} written as ${embedded.form}`,
        `write the IPv4 form ${embedded.v4.text}`);
    }
    const asDomain = asPrefix.ok ? undefined : toAsciiDomain(entry.target);
    if (!asPrefix.ok && !asDomain) {
      report.cloud("error", "blocklist-target", path, `the block target "${entry.target}" is neither an address prefix nor a domain name`,
        "write an address (192.0.2.66), a prefix (192.0.2.0/28) or a domain (c2.example.net)");
      return;
    }
    const key = asPrefix.ok ? asPrefix.prefix.text : asDomain!;
    const first = blocked.get(key);
    if (first !== undefined) {
      report.cloud("warning", "duplicate", path, `${key} is already blocked at ${report.whereInCloud(["blocklist", first, "target"])}`);
    } else blocked.set(key, i);
    if (asPrefix.ok) {
      // R6: block only the offending traffic, never the whole network
      const victim = space.trie.overlapping(asPrefix.prefix)[0];
      const plan = ours.find((o) => prefixOverlaps(o, asPrefix.prefix));
      if (victim || plan) {
        report.cloud("error", "blocklist-target", path,
          `blocking ${asPrefix.prefix.text} would cut off ${victim ? describeClaim(report, victim) : `the cloud's own address plan ${plan!.text}`}`,
          "block the offending outside host only; an organization's own machines are isolated by its firewall rules");
      } else if (asPrefix.prefix.length < (asPrefix.prefix.family === 4 ? 8 : 16)) {
        report.cloud("error", "blocklist-target", path, `blocking ${asPrefix.prefix.text} would block a large part of the internet`,
          "the specification asks to block only the offending traffic (11(8)エ)");
      }
    }
  });

  const policy = cloud.changePolicy;
  const windowNames = new Map<string, number>();
  policy.windows.forEach((w, i) => {
    const first = windowNames.get(w.name);
    if (first !== undefined) {
      report.cloud("error", "duplicate", ["changePolicy", "windows", i, "name"], `the window name "${w.name}" is used twice`);
    } else windowNames.set(w.name, i);
    if (w.from === w.to) {
      report.cloud("error", "policy-window", ["changePolicy", "windows", i, "to"], `the window "${w.name}" starts and ends at ${w.from}: it is empty`,
        "a window that passes midnight is written from 22:00 to 06:00");
    }
    const days = new Set<string>();
    w.days.forEach((d, j) => {
      if (days.has(d)) report.cloud("warning", "policy-window", ["changePolicy", "windows", i, "days", j], `${d} is listed twice`);
      days.add(d);
    });
  });
  if (policy.windows.length === 0) {
    policy.rules.forEach((r, i) => {
      if (r.needsWindow) {
        report.cloud("error", "policy-window", ["changePolicy", "rules", i, "needsWindow"],
          "this rule needs a maintenance window, but changePolicy.windows is empty: such changes could never be applied",
          "define windows, e.g. { name: weeknight, days: [mon, tue, wed, thu, fri], from: \"22:00\", to: \"06:00\" }");
      }
    });
  }
  const closed = new Set<string>();
  policy.closedDays.forEach((d, i) => {
    if (closed.has(d)) report.cloud("warning", "duplicate", ["changePolicy", "closedDays", i], `the closed day ${d} is listed twice`);
    closed.add(d);
  });
};
