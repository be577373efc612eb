// BIND 9.18 as the cloud's external (authoritative) DNS: one zone file per
// zone of every organization plus a named.conf fragment with the zone
// statements. Record values go through src/model/dns.ts, shared with unbound and the validator.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import type { Artifact } from "../../model/types.js";
import { headerLines, orgsInOrder, RenderError, type Platform, type RenderContext } from "../platform.js";
import { refuseUnrenderableCloud } from "../refusals.js";
import { mailboxName, serialFor, zoneRecords, type RenderedRecord } from "../../model/dns.js";

const NAMED_CONF = "named-conf";
const ZONE_DIR = "/etc/bind/scconf";

/** Zone files have one artifact each; their default path follows the zone name. */
export function zoneArtifactId(zone: string): string {
  return `zone-${zone}`;
}

function zonePath(ctx: RenderContext, zone: string): string {
  return ctx.device.paths[zoneArtifactId(zone)] ?? `${ZONE_DIR}/db.${zone}`;
}

function fail(ctx: RenderContext, where: string, message: string): never {
  throw new RenderError(ctx.device.name, "bind", where, message);
}

/** Aligned zone-file lines: name, optional TTL, class, type, data. */
function zoneLines(records: RenderedRecord[]): string[] {
  const nameWidth = Math.max(1, ...records.map((r) => r.name.length));
  const ttlWidth = Math.max(0, ...records.map((r) => (r.ttl === undefined ? 0 : String(r.ttl).length)));
  return records.map((r) => {
    const ttl = (r.ttl === undefined ? "" : String(r.ttl)).padStart(ttlWidth);
    return `${r.name.padEnd(nameWidth)} ${ttlWidth ? `${ttl} ` : ""}IN ${r.type.padEnd(5)} ${r.rdata}`;
  });
}

export const bind: Platform = {
  name: "bind",
  description: "BIND 9.18 external DNS: a zone file per zone and a named.conf fragment of primary zones",
  kinds: PLATFORM_KINDS["bind"],
  features: ["ipv6", "comments"],
  // zone files: "zone-<zone>" -> /etc/bind/scconf/db.<zone> unless device.paths says otherwise
  defaultPaths: { [NAMED_CONF]: `${ZONE_DIR}/named.conf.scconf` },
  // the fragment's file paths name the live zone files, so the staged zones are checked one by one
  defaultCheckCommand:
    'named-checkconf {stage}/named-conf && for f in {stage}/zone-*; do [ -e "$f" ] || continue; z=$(basename "$f"); ' +
    'named-checkzone -q -k fail -n fail -m fail -M fail -S fail -i local "${z#zone-}" "$f" || exit 1; done',
  defaultReloadCommand: "rndc reconfig && rndc reload",
  render(ctx) {
    refuseUnrenderableCloud(ctx, "dns");
    const soa = ctx.inventory.cloud.defaults.soa!; // refuseUnrenderableCloud
    const nameservers = ctx.inventory.cloud.defaults.nameservers;
    const artifacts: Artifact[] = [];
    const owners = new Map<string, string>();
    const orgs: Array<{ id: string; ja: string; zones: Array<{ zone: string; file: string }> }> = [];
    for (const org of orgsInOrder(ctx.inventory)) {
      const zones: Array<{ zone: string; file: string }> = [];
      for (const [zi, zone] of org.dns.entries()) {
        const where = `${org.id} dns[${zi}]`;
        const owner = owners.get(zone.zone);
        if (owner) fail(ctx, where, `zone ${zone.zone} is also defined by ${owner}; one zone has one owner`);
        owners.set(zone.zone, org.id);
        const r = zoneRecords(zone, "external");
        if (!r.ok) fail(ctx, `${where}.${r.where}`, r.reason);
        const id = zoneArtifactId(zone.zone);
        const file = zonePath(ctx, zone.zone);
        const content = ctx.templates.render("zone", {
          header: headerLines(ctx, id),
          zone: zone.zone,
          org: { id: org.id, ja: org.name.ja },
          ttl: ctx.inventory.cloud.defaults.dnsTtl,
          soa: {
            primary: `${soa.primary}.`,
            hostmaster: mailboxName(soa.hostmaster),
            serial: serialFor(ctx.today),
            refresh: soa.refresh,
            retry: soa.retry,
            expire: soa.expire,
            minimum: soa.minimum,
          },
          nameservers: nameservers.map((n) => `${n}.`),
          lines: zoneLines(r.records),
        });
        artifacts.push({ id, path: file, content, kinds: ["dns"], format: "text" });
        zones.push({ zone: zone.zone, file });
      }
      if (zones.length) orgs.push({ id: org.id, ja: org.name.ja, zones });
    }
    artifacts.push({
      id: NAMED_CONF,
      path: ctx.device.paths[NAMED_CONF] ?? `${ZONE_DIR}/named.conf.scconf`,
      content: ctx.templates.render("named-conf", { header: headerLines(ctx, NAMED_CONF), orgs }),
      kinds: ["dns"],
      format: "text",
    });
    return artifacts;
  },
};
