// What the nginx and haproxy renderers share: walking the organizations'
// reverse-proxy mappings in the documented order and refusing what neither
// can serve (one hostname claimed twice).
import type { Org, ReverseProxyMapping } from "../../model/types.js";
import { orgsInOrder, RenderError, type RenderContext } from "../platform.js";

export const SITE_TITLES: Record<ReverseProxyMapping["site"], string> = {
  official: "official site (R13 CDN origin)",
  disaster: "disaster-information site (R13 CDN origin)",
  other: "other site",
};

export interface OrgMappings {
  org: Org;
  mappings: Array<{ mapping: ReverseProxyMapping; where: string }>;
}

/** The mappings by organization (orgsInOrder), each hostname once across the whole cloud. */
export function mappingsInOrder(ctx: RenderContext): OrgMappings[] {
  const owners = new Map<string, string>();
  const out: OrgMappings[] = [];
  for (const org of orgsInOrder(ctx.inventory)) {
    const mappings: OrgMappings["mappings"] = [];
    for (const [i, mapping] of org.reverseProxy.entries()) {
      const where = `${org.id} reverseProxy[${i}]`;
      const owner = owners.get(mapping.hostname);
      if (owner) {
        throw new RenderError(ctx.device.name, ctx.device.platform, `${where}.hostname`, `${mapping.hostname} is already mapped by ${owner}; one hostname can reach one origin`);
      }
      owners.set(mapping.hostname, where);
      mappings.push({ mapping, where });
    }
    if (mappings.length) out.push({ org, mappings });
  }
  return out;
}

/** The name of the upstream/backend of a mapping. Org ids have no "_", so the first "_" after the prefix ends the org id and names cannot collide. */
export function upstreamName(org: Org, mapping: ReverseProxyMapping): string {
  return `scconf_${org.id}_${mapping.name}`;
}

/** address:port with IPv6 addresses in brackets. */
export function hostPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}
