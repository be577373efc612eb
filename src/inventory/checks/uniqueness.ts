// Names that other things refer to must be unique, or a reference becomes
// ambiguous; names that the world sees (zones, domains, hostnames, mail
// domains) must be unique across all organizations, or two of them would
// configure the same thing and the later file would silently win.
import type { PathSegment } from "../diagnostics.js";
import type { Check, Reporter } from "./context.js";
import { normalizeName } from "./space.js";

interface Occurrence {
  org: string;
  path: PathSegment[];
}

/** Reports every occurrence of a key that occurs more than once, each naming another occurrence. */
function reportDuplicates(report: Reporter, byKey: Map<string, Occurrence[]>, code: string, what: (key: string) => string, hint: string): void {
  for (const [key, list] of byKey) {
    if (list.length < 2) continue;
    list.forEach((occ, i) => {
      const other = list[i === 0 ? 1 : 0]!;
      const whose = other.org === occ.org ? "" : ` by ${other.org}`;
      report.org(occ.org, "error", code, occ.path, `${what(key)} is also defined${whose} at ${report.whereInOrg(other.org, other.path)}`, hint);
    });
  }
}

function add(map: Map<string, Occurrence[]>, key: string, occ: Occurrence): void {
  const list = map.get(key);
  if (list) list.push(occ);
  else map.set(key, [occ]);
}

const VIEWS = ["external", "internal"] as const;

/** Record data compared as a name server compares it: case-insensitive names, single spaces; TXT as written. */
function normalizeValue(type: string, value: string): string {
  const v = value.trim().replace(/\s+/g, " ");
  return type === "TXT" ? v : v.toLowerCase();
}

function checkRecordSets(report: Reporter, orgId: string, zoneIndex: number, records: ReadonlyArray<{ name: string; type: string; value: string; view: string }>): void {
  const reported = new Set<number>();
  for (const view of VIEWS) {
    const byName = new Map<string, number[]>();
    records.forEach((r, j) => {
      if (r.view !== view && r.view !== "both") return;
      const name = normalizeName(r.name);
      const list = byName.get(name) ?? [];
      list.push(j);
      byName.set(name, list);
    });
    for (const [name, list] of byName) {
      const seen = new Map<string, number>();
      for (const j of list) {
        const r = records[j]!;
        const key = `${r.type} ${normalizeValue(r.type, r.value)}`;
        const first = seen.get(key);
        if (first !== undefined && !reported.has(j)) {
          reported.add(j);
          report.org(orgId, "error", "duplicate-record", ["dns", zoneIndex, "records", j],
            `the record ${name} ${r.type} ${r.value} is listed twice (first at ${report.whereInOrg(orgId, ["dns", zoneIndex, "records", first])})`,
            "remove one of them");
        } else if (first === undefined) seen.set(key, j);
      }
      const cnames = list.filter((j) => records[j]!.type === "CNAME");
      const others = list.filter((j) => records[j]!.type !== "CNAME");
      if (cnames.length === 0) continue;
      const distinctCnames = new Set(cnames.map((j) => normalizeValue("CNAME", records[j]!.value)));
      const cname = cnames[0]!;
      if (reported.has(cname)) continue;
      if (others.length > 0 || distinctCnames.size > 1) {
        const other = others[0] ?? cnames[1]!;
        reported.add(cname);
        report.org(orgId, "error", "cname-and-other-data", ["dns", zoneIndex, "records", cname],
          `${name} has a CNAME and other data (${records[other]!.type} at ${report.whereInOrg(orgId, ["dns", zoneIndex, "records", other])})` +
            (view === "external" ? "" : " in the internal view"),
          "a name with a CNAME may have no other record (RFC 1034 3.6.2); put the other records on the CNAME's target, or drop the CNAME");
      }
    }
  }
}

export const checkUniqueness: Check = ({ inventory, report }) => {
  const seenDevices = new Map<string, number>();
  inventory.devices.forEach((d, i) => {
    const first = seenDevices.get(d.name);
    if (first !== undefined) {
      report.device(i, "error", "duplicate", ["name"], `device name "${d.name}" is used twice (first as devices[${first}] at ${report.whereInDevices(first, ["name"])})`);
    } else seenDevices.set(d.name, i);
  });

  const orgIds = new Map<string, Occurrence[]>();
  const zones = new Map<string, Occurrence[]>();
  const domains = new Map<string, Occurrence[]>();
  const hostnames = new Map<string, Occurrence[]>();
  const mailDomains = new Map<string, Occurrence[]>();

  for (const org of inventory.orgs) {
    add(orgIds, org.id, { org: org.id, path: ["id"] });
    const byList: Array<[string, Array<{ name: string }>]> = [
      ["firewall", org.firewall],
      ["ipsExceptions", org.ipsExceptions],
      ["reverseProxy", org.reverseProxy],
      ["spamExclusions", org.spamExclusions],
      ["exports", org.exports],
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

    org.domains.forEach((d, i) => add(domains, normalizeName(d), { org: org.id, path: ["domains", i] }));
    org.dns.forEach((z, i) => {
      add(zones, normalizeName(z.zone), { org: org.id, path: ["dns", i, "zone"] });
      checkRecordSets(report, org.id, i, z.records);
    });
    org.reverseProxy.forEach((rp, i) => add(hostnames, normalizeName(rp.hostname), { org: org.id, path: ["reverseProxy", i, "hostname"] }));
    org.mailRelay.forEach((m, i) => add(mailDomains, normalizeName(m.domain), { org: org.id, path: ["mailRelay", i, "domain"] }));
  }

  reportDuplicates(report, orgIds, "duplicate", (k) => `the organization id "${k}"`, "one organization, one file: orgs/<org-id>.yaml");
  reportDuplicates(report, domains, "duplicate-domain", (k) => `the domain ${k}`, "a domain belongs to one organization; ask the NOC which one");
  reportDuplicates(report, zones, "duplicate-zone", (k) => `the zone ${k}`, "a zone is defined once, by the organization that owns it");
  reportDuplicates(report, hostnames, "duplicate-hostname", (k) => `the reverse-proxy hostname ${k}`, "a hostname maps to one origin");
  reportDuplicates(report, mailDomains, "duplicate-mail-route", (k) => `the mail route for ${k}`, "a mail domain is relayed to one next hop");
};
