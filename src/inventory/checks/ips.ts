// IPS exceptions: an exception is meant for traffic TO the organization's
// hosts (a false positive on its own servers). `source` or `both` also
// silences the signature when the organization's hosts send the traffic, to
// the other organizations and the internet alike, so it is said at its line.
import type { Check } from "./context.js";

export const checkIpsExceptions: Check = ({ inventory, report }) => {
  for (const org of inventory.orgs) {
    org.ipsExceptions.forEach((ex, i) => {
      if (ex.direction === "destination") return;
      const scope = ex.scope.join(", ");
      report.org(
        org.id,
        "warning",
        "ips-direction",
        ["ipsExceptions", i, "direction"],
        `the exception "${ex.name}" (direction: ${ex.direction}) also suppresses signature ${ex.signature} for traffic that ${org.id}'s hosts in ${scope} send, to other organizations included`,
        "leave direction out (or write destination) unless those hosts are the known, harmless source of the alert; say why in reason",
      );
    });
  }
};
