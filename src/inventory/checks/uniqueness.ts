// Names that other things refer to must be unique, or a reference becomes ambiguous.
import type { Check } from "./context.js";

export const checkUniqueness: Check = ({ inventory, report }) => {
  const seenDevices = new Map<string, number>();
  inventory.devices.forEach((d, i) => {
    const first = seenDevices.get(d.name);
    if (first !== undefined) {
      report.device(i, "error", "duplicate", ["name"], `device name "${d.name}" is used twice (first as devices[${first}])`);
    } else seenDevices.set(d.name, i);
  });

  for (const org of inventory.orgs) {
    const byList: Array<[string, Array<{ name: string }>]> = [
      ["firewall", org.firewall],
      ["ipsExceptions", org.ipsExceptions],
      ["reverseProxy", org.reverseProxy],
      ["spamExclusions", org.spamExclusions],
    ];
    for (const [field, list] of byList) {
      const seen = new Map<string, number>();
      list.forEach((item, i) => {
        const first = seen.get(item.name);
        if (first !== undefined) {
          report.org(org.id, "error", "duplicate", [field, i, "name"], `"${item.name}" is defined twice in ${field}`,
            `the first is at ${report.whereInOrg(org.id, [field, first, "name"])}`);
        } else seen.set(item.name, i);
      });
    }
    // networks and global addresses share one namespace: rules refer to either by name
    const objects = new Map<string, string>();
    org.networks.forEach((n, i) => {
      if (objects.has(n.name)) report.org(org.id, "error", "duplicate", ["networks", i, "name"], `the object name "${n.name}" is defined twice`);
      objects.set(n.name, `networks[${i}]`);
    });
    org.globalAddresses.forEach((g, i) => {
      if (objects.has(g.name)) {
        report.org(org.id, "error", "duplicate", ["globalAddresses", i, "name"], `the object name "${g.name}" is already used by ${objects.get(g.name)}`);
      }
      objects.set(g.name, `globalAddresses[${i}]`);
    });
  }
};
