// What a platform cannot render from an organization's settings, as one rule
// set that both sides read: each renderer throws the first refusal for the
// organization it is rendering (a RenderError, never a silent drop), and
// validation (inventory/checks/refusals.ts) reports every refusal at the
// inventory's line, naming the devices that would refuse it. Without the
// shared set, a setting could validate and then stop every render of a
// shared device, the emergency block's included.
import { formatPath, type PathSegment } from "../inventory/diagnostics.js";
import type { ChangeKind, PlatformName } from "../model/kinds.js";
import { recipientDomains } from "../model/mail.js";
import { parsePrefix } from "../model/net.js";
import { resolveRef } from "../model/resolve.js";
import type { Inventory, Org } from "../model/types.js";
import { httpsPathProblem } from "../model/url-pattern.js";
import { toAsciiDomain } from "../model/values.js";
import { RenderError, type RenderContext } from "./platform.js";
// the FortiOS renderer's own tables; it imports this module back, used only at call time on both sides
import { FORTIGUARD_CATEGORIES, FORTIOS_URL_MAX, urlEntries } from "./platforms/fortios-utm.js";

export interface Refusal {
  /** the field in the organization's file */
  path: PathSegment[];
  message: string;
}

interface Rule {
  kind: ChangeKind;
  check(inventory: Inventory, org: Org): Refusal[];
}

const allowCategories = (platform: string, why: string): Rule => ({
  kind: "urlFilter",
  check: (_inv, org) =>
    (org.urlFilter?.allow.categories.length ?? 0) > 0
      ? [{ path: ["urlFilter", "allow", "categories"], message: `${platform} cannot render urlCategories as an allow list (${why}); refusing rather than dropping it` }]
      : [],
});

/** A forward proxy without TLS interception sees only the host of an https request (model/url-pattern.ts). */
const httpsPaths = (platform: string, how: string): Rule => ({
  kind: "urlFilter",
  check: (_inv, org) => {
    const f = org.urlFilter;
    if (!f) return [];
    return (["block", "allow"] as const).flatMap((side) =>
      f[side].urls.flatMap((u, i) => {
        const problem = httpsPathProblem(u);
        return problem ? [{ path: ["urlFilter", side, "urls", i], message: `${platform} (${how}): ${problem}` }] : [];
      }),
    );
  },
});

const fortiosUrls: Rule = {
  kind: "urlFilter",
  check: (_inv, org) => {
    const f = org.urlFilter;
    if (!f) return [];
    const out: Refusal[] = [];
    for (const side of ["allow", "block"] as const) {
      const tooLong = (field: "domains" | "urls", i: number, texts: string[]): void => {
        const n = Math.max(...texts.map((t) => t.length));
        if (n > FORTIOS_URL_MAX) out.push({ path: ["urlFilter", side, field, i], message: `a FortiOS URL filter entry is at most ${FORTIOS_URL_MAX} characters; this one has ${n}` });
      };
      // a domain is two entries: the name and "*.name"
      f[side].domains.forEach((d, i) => tooLong("domains", i, [`*.${d}`]));
      f[side].urls.forEach((u, i) => tooLong("urls", i, urlEntries(u).map((e) => e.url)));
    }
    f.block.categories.forEach((c, i) => {
      if (FORTIGUARD_CATEGORIES[c.toLowerCase()] === undefined) {
        out.push({ path: ["urlFilter", "block", "categories", i], message: `"${c}" is not a FortiGuard category scconf knows (${Object.keys(FORTIGUARD_CATEGORIES).slice(0, 6).join(", ")}, ...)` });
      }
    });
    return out;
  },
};

const fortiosIpsV6: Rule = {
  kind: "ipsExceptions",
  check: (inv, org) =>
    org.ipsExceptions.flatMap((ex, i) =>
      ex.scope.flatMap((ref, j) => {
        const r = resolveRef(inv, org, ref);
        const v6 = r.ok ? r.value.prefixes.find((p) => p.family === 6) : undefined;
        return v6
          ? [{ path: ["ipsExceptions", i, "scope", j], message: `fortios cannot render ipv6 in an IPS exempt-ip (${v6.text}: FortiOS exempt-ip takes IPv4 addresses only); refusing rather than dropping it` }]
          : [];
      }),
    ),
};

const squidClients: Rule = {
  kind: "urlFilter",
  check: (_inv, org) => {
    const f = org.urlFilter;
    const blocks = f ? f.block.domains.length + f.block.urls.length + f.block.categories.length : 0;
    return blocks > 0 && org.networks.length === 0
      ? [{ path: ["urlFilter", "block"], message: `${org.id} blocks URLs but has no networks: the block cannot be limited to its clients` }]
      : [];
  },
};

const postfixMx: Rule = {
  kind: "mailRelay",
  check: (_inv, org) =>
    org.mailRelay.flatMap((route, i) =>
      route.mx && parsePrefix(route.nextHop).ok
        ? [{ path: ["mailRelay", i, "mx"], message: `mx: true asks for an MX lookup of the address ${route.nextHop}; an MX lookup needs a host name` }]
        : [],
    ),
};

/** Exclusions exist only per recipient domain (rspamd `rcpt`, spamd's per-domain preferences): an organization without domains cannot have one. */
const exclusionsNeedDomains = (platform: string): Rule => ({
  kind: "spamExclusions",
  check: (_inv, org) =>
    org.spamExclusions.length > 0 && recipientDomains(org).length === 0
      ? [{ path: ["spamExclusions"], message: `${org.id} has no domains: ${platform} cannot limit its exclusions to its own recipients` }]
      : [],
});

const rspamdSenders: Rule = {
  kind: "spamExclusions",
  check: (_inv, org) =>
    org.spamExclusions.flatMap((ex, i) => {
      if (parsePrefix(ex.sender).ok) return [];
      const value = ex.sender.includes("@") ? ex.sender : `@${ex.sender}`;
      // a settings `from` that starts with "/" is a regexp and "map:" a map
      return value.startsWith("/") || value.startsWith("map:") || /\s/.test(value)
        ? [{ path: ["spamExclusions", i, "sender"], message: `"${ex.sender}" would not be read as a literal sender by the rspamd settings module` }]
        : [];
    }),
};

const spamassassinSenders: Rule = {
  kind: "spamExclusions",
  check: (_inv, org) => [
    ...org.spamExclusions.flatMap((ex, i) =>
      // `#` starts a comment and `*`/`?` are globs in welcomelist_from: such a sender would match more than it says
      !parsePrefix(ex.sender).ok && /[\s#*?\\]/.test(ex.sender)
        ? [{ path: ["spamExclusions", i, "sender"], message: `"${ex.sender}" cannot be written as a literal SpamAssassin address pattern` }]
        : [],
    ),
    // a recipient domain as spamd's %d must produce it to find its preferences: exactly a lower-case
    // ASCII domain. Anything else ("..", "/", a trailing dot, upper case, characters spamd rewrites
    // to "_") would name another directory than the one spamd looks in, or one outside it.
    ...recipientDomains(org).flatMap((d) =>
      toAsciiDomain(d) !== d
        ? [{ path: ["domains"], message: `"${d}" is not an exact lower-case domain: it cannot name the per-domain preferences spamd reads for it (%d)` }]
        : [],
    ),
  ],
};

const unboundWildcards: Rule = {
  kind: "dns",
  check: (_inv, org) =>
    org.dns.flatMap((zone, zi) =>
      zone.records.flatMap((r, ri) =>
        (r.view === "internal" || r.view === "both") && (r.name === "*" || r.name.startsWith("*."))
          ? [{ path: ["dns", zi, "records", ri, "name"], message: `unbound local-data has no wildcards (${r.name} ${r.type} in ${zone.zone}); keep wildcard records in the external view` }]
          : [],
      ),
    ),
};

const RULES: Partial<Record<PlatformName, readonly Rule[]>> = {
  squid: [allowCategories("squid", "a category file is a block list here"), squidClients, httpsPaths("squid", "this cloud's proxies do not intercept TLS")],
  fortios: [allowCategories("fortios", "FortiGuard category filters block, warn or monitor"), fortiosUrls, httpsPaths("fortios", "certificate inspection, not deep inspection"), fortiosIpsV6],
  postfix: [postfixMx],
  rspamd: [exclusionsNeedDomains("rspamd"), rspamdSenders],
  spamassassin: [exclusionsNeedDomains("spamassassin"), spamassassinSenders],
  unbound: [unboundWildcards],
};

/** What a platform refuses of cloud.yaml itself; paths are in cloud.yaml. */
interface CloudRule {
  kind: ChangeKind;
  check(inventory: Inventory): Refusal[];
}

const bindZoneDefaults: CloudRule = {
  kind: "dns",
  check: (inv) => [
    ...(inv.cloud.defaults.soa ? [] : [{ path: ["defaults", "soa"], message: "zones need an SOA: set defaults.soa (primary, hostmaster) in cloud.yaml" }]),
    ...(inv.cloud.defaults.nameservers.length ? [] : [{ path: ["defaults", "nameservers"], message: "zones need NS records: list the name servers in cloud.yaml defaults.nameservers" }]),
  ],
};

const CLOUD_RULES: Partial<Record<PlatformName, readonly CloudRule[]>> = {
  bind: [bindZoneDefaults],
};

export function cloudRefusals(platform: PlatformName, kinds: readonly ChangeKind[], inventory: Inventory): Refusal[] {
  return (CLOUD_RULES[platform] ?? []).filter((r) => kinds.includes(r.kind)).flatMap((r) => r.check(inventory));
}

/** For renderers: throws the first refusal of cloud.yaml for `kind` on the device being rendered. */
export function refuseUnrenderableCloud(ctx: RenderContext, kind: ChangeKind): void {
  if (!ctx.kinds.includes(kind)) return;
  const [first] = cloudRefusals(ctx.device.platform, [kind], ctx.inventory);
  if (first) throw new RenderError(ctx.device.name, ctx.device.platform, `cloud.${formatPath(first.path)}`, first.message);
}

/** Every refusal of `platform`, for the settings of `kinds`, in the organization's file. */
export function orgRefusals(platform: PlatformName, kinds: readonly ChangeKind[], inventory: Inventory, org: Org): Refusal[] {
  return (RULES[platform] ?? []).filter((r) => kinds.includes(r.kind)).flatMap((r) => r.check(inventory, org));
}

/** For renderers: throws the first refusal of this organization's settings of `kind` on the device being rendered. */
export function refuseUnrenderable(ctx: RenderContext, org: Org, kind: ChangeKind): void {
  if (!ctx.kinds.includes(kind)) return;
  const [first] = orgRefusals(ctx.device.platform, [kind], ctx.inventory, org);
  if (first) throw new RenderError(ctx.device.name, ctx.device.platform, `${org.id} ${formatPath(first.path)}`, first.message);
}
