// DNS records, checked before a zone file is written: a malformed value makes
// named refuse to load the whole zone, which takes every record of the
// organization offline at the next reload. The values are checked by the
// same function the bind and unbound renderers use (src/model/dns.ts), so
// that validate refuses exactly what rendering would refuse, at its file:line.
import { validateRecordValue } from "../../model/dns.js";
import type { DnsZone } from "../../model/types.js";
import type { Check, Reporter } from "./context.js";

const VIEWS = ["external", "internal"] as const;

/** One RRset has one TTL: the renderer refuses a zone whose records of one name and type disagree. */
function checkTtls(report: Reporter, orgId: string, zoneIndex: number, zone: DnsZone): void {
  const reported = new Set<number>();
  for (const view of VIEWS) {
    const first = new Map<string, number>();
    zone.records.forEach((rec, j) => {
      if (rec.view !== view && rec.view !== "both") return;
      const key = `${rec.name.toLowerCase()} ${rec.type}`;
      const f = first.get(key);
      if (f === undefined) {
        first.set(key, j);
        return;
      }
      const other = zone.records[f]!;
      if (other.ttl !== rec.ttl && !reported.has(j)) {
        reported.add(j);
        const shown = (t: number | undefined) => (t === undefined ? "the default" : String(t));
        report.org(orgId, "error", "dns-ttl", ["dns", zoneIndex, "records", j, rec.ttl === undefined ? "name" : "ttl"],
          `the ${rec.type} records of ${rec.name} have different TTLs (${shown(rec.ttl)} here, ${shown(other.ttl)} at ${report.whereInOrg(orgId, ["dns", zoneIndex, "records", f])}); one RRset has one TTL`,
          "give every record of this name and type the same ttl (or none)");
      }
    });
  }
}

export const checkDns: Check = ({ inventory, report }) => {
  for (const org of inventory.orgs) {
    org.dns.forEach((zone, i) => {
      checkTtls(report, org.id, i, zone);
      zone.records.forEach((rec, j) => {
        const path = ["dns", i, "records", j];
        const r = validateRecordValue(rec.type, rec.value, zone.zone);
        if (!r.ok) {
          report.org(org.id, "error", "dns-value", [...path, "value"], r.reason, r.hint);
          return;
        }
        for (const w of r.warnings) report.org(org.id, "warning", "dns-value", [...path, "value"], w);
        const fqdn = rec.name === "@" ? zone.zone : `${rec.name}.${zone.zone}`;
        if (fqdn.length > 253) {
          report.org(org.id, "error", "dns-name", [...path, "name"], `${fqdn} is longer than 253 characters`);
        }
        if (rec.type === "CNAME" && rec.name === "@") {
          report.org(org.id, "error", "cname-and-other-data", [...path, "name"],
            `a CNAME at the zone apex ${zone.zone} conflicts with its SOA and NS records`,
            "point the apex at addresses with A/AAAA records instead");
        }
        if (rec.type === "NS" && rec.name === "@") {
          report.org(org.id, "warning", "dns-apex-ns", [...path, "name"], "the apex NS records are rendered from cloud.defaults.nameservers",
            "remove this record; delegate a subdomain with an NS record at its name instead");
        }
        const name = rec.name.toLowerCase();
        if (name === zone.zone || name.endsWith(`.${zone.zone}`)) {
          const relative = name === zone.zone ? "@" : name.slice(0, -(zone.zone.length + 1));
          report.org(org.id, "warning", "dns-name", [...path, "name"],
            `record names are relative to the zone: this one means ${name}.${zone.zone}`, `did you mean "${relative}"?`);
        }
      });
    });
  }
};
