// FortiOS web filter and IPS artifacts: one URL filter table + web filter
// profile and one IPS sensor per organization, attached by the firewall
// artifact to the organization's accept policies.
import { activeBlocks } from "../../model/blocklist.js";
import type { Prefix } from "../../model/net.js";
import { isActive, resolveRef } from "../../model/resolve.js";
import type { IpsException, Org } from "../../model/types.js";
import { blockableOnProxy, parseUrlPattern, pathPrefix } from "../../model/url-pattern.js";
import { headerLines, orgsInOrder, type RenderContext } from "../platform.js";
import { refuseUnrenderable } from "../refusals.js";
import { cliText, fail, FORTIOS_NAME_MAX, ipv4Subnet, objectName, orgSlots } from "./fortios.js";

/**
 * FortiGuard web filter category ids (FortiOS `get webfilter categories`).
 * The inventory names categories; a name not listed here is refused rather
 * than guessed. Extend the table from the device's own list.
 */
export const FORTIGUARD_CATEGORIES: Readonly<Record<string, number>> = {
  "drug-abuse": 1,
  hacking: 3,
  "illegal-or-unethical": 4,
  discrimination: 5,
  "explicit-violence": 6,
  "other-adult-materials": 8,
  gambling: 11,
  "extremist-groups": 12,
  "nudity-and-risque": 13,
  pornography: 14,
  dating: 15,
  "weapons-sales": 16,
  advertising: 17,
  "freeware-and-software-downloads": 19,
  games: 20,
  "file-sharing-and-storage": 24,
  "streaming-media-and-download": 25,
  malware: 26,
  "malicious-websites": 26,
  "social-networking": 37,
  "proxy-avoidance": 59,
  phishing: 61,
  "peer-to-peer-file-sharing": 72,
  "child-sexual-abuse": 83,
  "spam-urls": 86,
  "dynamic-dns": 88,
  "newly-observed-domain": 90,
  "newly-registered-domain": 91,
  // the inventory's shorter names (as in the UT1 lists squid uses), mapped to the closest FortiGuard category
  adult: 14,
  "online-storage": 24,
  p2p: 72,
  "streaming-video": 25,
  webmail: 23,
};

/** FortiOS `config entries` `set url` is at most 511 characters. */
export const FORTIOS_URL_MAX = 511;

export function webfilterProfileName(org: Org): string {
  return objectName(org.id, "web", FORTIOS_NAME_MAX.profile);
}

export function ipsSensorName(org: Org): string {
  return objectName(org.id, "ips", FORTIOS_NAME_MAX.profile);
}

/** The blocklist's (cloud.yaml and emergency.yaml) domains and URLs in force: the web filter's part of it. */
function blocklistEntries(ctx: RenderContext): Array<Pick<UrlEntry, "url" | "type">> {
  const active = activeBlocks(ctx.inventory, ctx.today);
  const bad = active.invalid[0];
  if (bad) fail(ctx, `${bad.source === "cloud" ? "cloud blocklist" : "emergency blocks"}[${bad.index}].target`, `blocklist target "${bad.written.slice(0, 80)}" is neither an address prefix nor a domain name`);
  const domains = [...new Set(active.blocks.flatMap((b) => (b.target.kind === "domain" ? [b.target.domain] : [])))].sort();
  // an https URL's path is invisible with certificate inspection: the block takes its host
  const urls = [...new Set(active.blocks.flatMap((b) => (b.target.kind === "url" ? [blockableOnProxy(b.target.url)] : [])))].sort();
  return [...domains.flatMap(domainEntries), ...urls.flatMap(urlEntries)];
}

/**
 * Organizations that get a web filter profile: those that block something,
 * and, while the blocklist has domains or URLs, every organization with
 * networks, so that the blocklist reaches all of them.
 */
export function hasWebfilter(ctx: RenderContext, org: Org): boolean {
  const f = org.urlFilter;
  const own = !!f && f.block.domains.length + f.block.urls.length + f.block.categories.length > 0;
  return own || (org.networks.length > 0 && blocklistEntries(ctx).length > 0);
}

export function activeIpsExceptions(org: Org, today: string): Array<{ ex: IpsException; index: number }> {
  return org.ipsExceptions.map((ex, index) => ({ ex, index })).filter(({ ex }) => isActive(ex.expires, today));
}

interface UrlEntry { id: number; url: string; type: "simple" | "wildcard" | "regex"; action: "block" | "exempt" }

const PCRE_SPECIAL = /[.[\]()*+?{}|^$\\/]/g;

/**
 * An inventory URL pattern (model/url-pattern.ts) as FortiOS URL filter
 * entries, which FortiOS matches against host + path without the scheme: a
 * wildcard "<host><path>*" (FortiOS's "*" is the inventory's "*"), unless the
 * pattern holds a "?", literal in the inventory but one character to a
 * FortiOS wildcard; then a regex with every other metacharacter escaped ("?"
 * as \x3f, which the interactive CLI would otherwise take as a help request)
 * and "*" as ".*". With certificate inspection (this cloud's profile) FortiOS
 * sees only the host of an https request: an https:// pattern with a path is
 * refused before rendering (render/refusals.ts).
 */
export function urlEntries(pattern: string): Array<Pick<UrlEntry, "url" | "type">> {
  const p = parseUrlPattern(pattern);
  const bare = `${p.host}${p.port ? `:${p.port}` : ""}${pathPrefix(p)}`;
  if (!bare.includes("?")) return [{ url: `${bare}*`, type: "wildcard" }];
  const re = `^${bare.split("*").map((part) => part.replace(PCRE_SPECIAL, (c) => (c === "?" ? "\\x3f" : `\\${c}`))).join(".*")}`;
  return [{ url: re, type: "regex" }];
}

function domainEntries(domain: string): Array<Pick<UrlEntry, "url" | "type">> {
  return [
    { url: domain, type: "simple" },
    { url: `*.${domain}`, type: "wildcard" },
  ];
}

export function renderWebfilter(ctx: RenderContext): string {
  const slots = orgSlots(ctx.inventory.orgs.map((o) => o.id));
  const blocked = blocklistEntries(ctx);
  const none = { domains: [], urls: [], categories: [] };
  const orgs = orgsInOrder(ctx.inventory).flatMap((org) => {
    if (!hasWebfilter(ctx, org)) return [];
    const f = org.urlFilter ?? { block: none, allow: none };
    refuseUnrenderable(ctx, org, "urlFilter");
    const entries: UrlEntry[] = [];
    const add = (list: Array<Pick<UrlEntry, "url" | "type">>, action: UrlEntry["action"], field: string): void => {
      for (const e of list) {
        // the organization's entries are measured by refuseUnrenderable; the cloud's blocklist here
        if (e.url.length > FORTIOS_URL_MAX) fail(ctx, `${org.id} urlFilter.${field}`, `a FortiOS URL filter entry is at most ${FORTIOS_URL_MAX} characters; this one has ${e.url.length}`);
        if (!entries.some((x) => x.url === e.url && x.type === e.type)) entries.push({ id: entries.length + 1, ...e, action });
      }
    };
    // first match wins: the cloud blocklist, then the organization's allow list, then its blocks
    add(blocked, "block", "cloud blocklist");
    for (const d of [...new Set(f.allow.domains)].sort()) add(domainEntries(d), "exempt", "allow.domains");
    for (const u of [...new Set(f.allow.urls)].sort()) add(urlEntries(u), "exempt", "allow.urls");
    for (const d of [...new Set(f.block.domains)].sort()) add(domainEntries(d), "block", "block.domains");
    for (const u of [...new Set(f.block.urls)].sort()) add(urlEntries(u), "block", "block.urls");
    const categories = [...new Set(f.block.categories)].sort().map((c, i) => {
      const id = FORTIGUARD_CATEGORIES[c.toLowerCase()]!; // known: refuseUnrenderable
      return { id: i + 1, category: id, name: c };
    });
    return [{
      id: org.id,
      nameJa: org.name.ja,
      tableId: 100_000 + slots.get(org.id)!,
      tableName: objectName(org.id, "urls", FORTIOS_NAME_MAX.profile),
      profile: webfilterProfileName(org),
      comment: cliText(org.urlFilter?.comment ? `${org.id} ${org.urlFilter.comment}` : `${org.id} ${org.name.ja}`, 255),
      entries,
      categories,
    }];
  });
  return ctx.templates.render("webfilter", { header: headerLines(ctx, "webfilter"), orgs });
}

interface ExemptIp { id: number; src: string; dst: string }

function exemptions(ctx: RenderContext, org: Org, ex: IpsException, index: number): ExemptIp[] {
  const where = `${org.id} ipsExceptions[${index}] (${ex.name})`;
  const prefixes: Prefix[] = [];
  ex.scope.forEach((ref, j) => {
    const r = resolveRef(ctx.inventory, org, ref);
    if (!r.ok) fail(ctx, `${where}.scope[${j}]`, r.reason);
    prefixes.push(...r.value.prefixes);
  });
  const unique = [...new Map(prefixes.map((p) => [p.text, p])).values()].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.length - b.length));
  const any = "0.0.0.0 0.0.0.0";
  const out: ExemptIp[] = [];
  for (const p of unique) {
    const net = ipv4Subnet(p);
    if (ex.direction !== "destination") out.push({ id: out.length + 1, src: net, dst: any });
    if (ex.direction !== "source") out.push({ id: out.length + 1, src: any, dst: net });
  }
  return out;
}

export function renderIps(ctx: RenderContext): string {
  const orgs = orgsInOrder(ctx.inventory).flatMap((org) => {
    refuseUnrenderable(ctx, org, "ipsExceptions");
    const active = activeIpsExceptions(org, ctx.today);
    if (active.length === 0) return [];
    return [{
      id: org.id,
      nameJa: org.name.ja,
      sensor: ipsSensorName(org),
      comment: cliText(`${org.id} ${org.name.ja}: IPS exceptions, then the default protection`, 255),
      entries: active.map(({ ex, index }, i) => ({
        id: i + 1,
        rule: ex.signature,
        note: cliText(`${ex.name}: ${ex.reason}${ex.expires ? ` (until ${ex.expires})` : ""}`, 200),
        exempt: exemptions(ctx, org, ex, index),
      })),
      defaultEntryId: active.length + 1,
    }];
  });
  return ctx.templates.render("ips", { header: headerLines(ctx, "ips"), orgs });
}
