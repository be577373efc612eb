// unbound 1.17 as the cloud's internal resolver: the internal view of every
// organization's zones as transparent local zones, and the emergency
// blocklist's domains as refused zones.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { headerLines, orgsInOrder, RenderError, type Platform, type RenderContext } from "../platform.js";
import { refuseUnrenderable } from "../refusals.js";
import { blockedDomains, zoneRecords, type RenderedRecord } from "../../model/dns.js";

const ARTIFACT = "unbound";

function fail(ctx: RenderContext, where: string, message: string): never {
  throw new RenderError(ctx.device.name, "unbound", where, message);
}

/**
 * One local-data value. unbound reads it as a quoted string of its own
 * config grammar and then parses the RR inside; TXT and CAA carry double
 * quotes, so those go in single quotes. The encoder escapes every ' as \039,
 * so neither quote can end the outer string early.
 */
export function localData(r: RenderedRecord, defaultTtl: number): string {
  const rr = `${r.fqdn} ${r.ttl ?? defaultTtl} IN ${r.type} ${r.rdata}`;
  if (rr.includes("'") || rr.includes("\n")) throw new Error(`unescaped RR ${rr}`);
  return rr.includes('"') ? `'${rr}'` : `"${rr}"`;
}

export const unbound: Platform = {
  name: "unbound",
  description: "unbound 1.17 internal DNS: internal-view records as transparent local zones, blocklisted domains refused",
  kinds: PLATFORM_KINDS["unbound"],
  features: ["ipv6", "comments"],
  defaultPaths: { [ARTIFACT]: "/etc/unbound/unbound.conf.d/scconf.conf" },
  // the fragment starts with server: and so is a whole configuration on its own (with the device's defaults)
  defaultCheckCommand: "unbound-checkconf {stage}/unbound",
  defaultReloadCommand: "unbound-control reload",
  render(ctx) {
    const blocked = blockedDomains(ctx.inventory, ctx.today);
    if (blocked.invalid.length) {
      fail(ctx, "cloud.blocklist", `target "${blocked.invalid[0]}" is neither an address nor a domain; it cannot be blocked in DNS`);
    }
    const ttl = ctx.inventory.cloud.defaults.dnsTtl;
    const orgs: Array<{ id: string; ja: string; zones: Array<{ zone: string; data: string[] }> }> = [];
    const owners = new Map<string, string>();
    for (const org of orgsInOrder(ctx.inventory)) {
      refuseUnrenderable(ctx, org, "dns");
      const zones: Array<{ zone: string; data: string[] }> = [];
      for (const [zi, zone] of org.dns.entries()) {
        const where = `${org.id} dns[${zi}]`;
        const owner = owners.get(zone.zone);
        if (owner) fail(ctx, where, `zone ${zone.zone} is also defined by ${owner}; one zone has one owner`);
        owners.set(zone.zone, org.id);
        const r = zoneRecords(zone, "internal", { escapeApostrophe: true });
        if (!r.ok) fail(ctx, `${where}.${r.where}`, r.reason);
        if (!r.records.length) continue;
        zones.push({ zone: zone.zone, data: r.records.map((rec) => localData(rec, ttl)) });
      }
      if (zones.length) orgs.push({ id: org.id, ja: org.name.ja, zones });
    }
    const content = ctx.templates.render("unbound", { header: headerLines(ctx, ARTIFACT), blocked: blocked.domains, orgs });
    return [{ id: ARTIFACT, path: ctx.device.paths[ARTIFACT] ?? "/etc/unbound/unbound.conf.d/scconf.conf", content, kinds: ["dns"], format: "text" }];
  },
};
