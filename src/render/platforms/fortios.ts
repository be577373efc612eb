// FortiOS 7.x CLI: three artifacts, each a set of `config` tables the tool
// owns (every object it creates is named "scconf-..."; policies use the id
// range below). The CLI text is what an engineer would paste or what the
// ssh-cli driver sends; webfilter and ips profiles must be applied before the
// firewall artifact whose policies refer to them.
import { createHash } from "node:crypto";
import { PLATFORM_KINDS } from "../../model/kinds.js";
import type { Prefix } from "../../model/net.js";
import type { Artifact } from "../../model/types.js";
import { artifactPath, RenderError, type Platform, type RenderContext } from "../platform.js";
import { renderFirewall } from "./fortios-firewall.js";
import { renderIps, renderWebfilter } from "./fortios-utm.js";

/**
 * Quotes a value for the FortiOS CLI: double quotes, with `"` and `\`
 * escaped by a backslash. A "?" opens the context help in the interactive
 * CLI even inside quotes, and control characters end the line, so both are
 * refused here: callers turn free text into safe text first (cliText).
 */
export function q(value: unknown): string {
  const text = String(value);
  if (/[\u0000-\u001f\u007f?]/.test(text)) {
    throw new Error(`FortiOS CLI value contains "?" or a control character: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Free text for comments: "?" becomes the full-width "？" (see q), cut to the field's byte limit. */
export function cliText(text: string, maxBytes: number): string {
  const safe = text.replace(/\?/g, "？").replace(/[\u0000-\u001f\u007f]/g, " ");
  if (Buffer.byteLength(safe, "utf8") <= maxBytes) return safe;
  let out = "";
  for (const ch of safe) {
    if (Buffer.byteLength(out + ch, "utf8") > maxBytes - 3) break;
    out += ch;
  }
  return `${out}...`;
}

/** FortiOS name length limits (CLI reference: address/addrgrp/service 79, policy name and profiles 35). */
export const FORTIOS_NAME_MAX = { object: 79, policy: 35, profile: 35 } as const;

/**
 * A stable object name. Org ids never contain ".", so "scconf-<org>." can
 * not be the start of another organization's names (with "-" it could:
 * kihoku / kihoku-kouiki). Too long names keep a prefix and a hash.
 */
export function objectName(orgId: string, label: string, max: number = FORTIOS_NAME_MAX.object): string {
  const name = `scconf-${orgId}.${label}`;
  if (name.length <= max) return name;
  return `${name.slice(0, max - 9)}-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}

function hash32(text: string): number {
  return createHash("sha256").update(text, "utf8").digest().readUInt32BE(0);
}

/**
 * Policy ids. FortiOS addresses policies by id, so ids must not move when
 * rules or organizations are added. Reserved for scconf:
 *   10000001-10000099    cloud-wide policies (blocklist)
 *   100000000-1099999999 organizations: 100000000 + 10000 × slot(org) + slot(rule)
 * slot(org) = SHA-256(org id) mod 100000 and slot(rule) = SHA-256(rule name)
 * mod 10000 (both the first 32 bits). A collision takes the next free slot,
 * in org id / rule order: ids only move when a collision first appears.
 * The order of evaluation is the list order, which the artifact sets with `move`.
 */
export const FORTIOS_ID_RANGES = {
  cloud: { from: 10_000_001, to: 10_000_099 },
  orgs: { from: 100_000_000, slots: 100_000, perOrg: 10_000 },
} as const;

export class SlotAllocator {
  private readonly used = new Set<number>();
  constructor(private readonly size: number) {}
  take(key: string): number {
    let slot = hash32(key) % this.size;
    for (let i = 0; i < this.size; i++, slot = (slot + 1) % this.size) {
      if (!this.used.has(slot)) {
        this.used.add(slot);
        return slot;
      }
    }
    throw new Error(`no free slot for ${key}`);
  }
}

/** org id -> slot, allocated over all organizations of the inventory in org id order */
export function orgSlots(orgIds: readonly string[]): Map<string, number> {
  const alloc = new SlotAllocator(FORTIOS_ID_RANGES.orgs.slots);
  return new Map([...orgIds].sort().map((id) => [id, alloc.take(id)]));
}

export function ipv4Mask(length: number): string {
  const m = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join(".");
}

/** "10.2.0.0 255.255.0.0" */
export function ipv4Subnet(p: Prefix): string {
  return `${p.text.split("/")[0]} ${ipv4Mask(p.length)}`;
}

export function fail(ctx: RenderContext, where: string, message: string): never {
  throw new RenderError(ctx.device.name, "fortios", where, message);
}

function artifact(ctx: RenderContext, id: string, content: string, kinds: Artifact["kinds"]): Artifact {
  return { id, path: artifactPath(ctx, fortios, id), content, kinds, format: "fortios-cli" };
}

export const fortios: Platform = {
  name: "fortios",
  description: "FortiOS 7.x CLI: firewall policies, addresses, services, shaping; web filter profiles; IPS sensors with exempt IPs",
  kinds: PLATFORM_KINDS["fortios"],
  features: ["ipv6", "portRanges", "icmp", "reject", "logging", "comments", "bandwidth", "urlPatterns", "urlCategories"],
  defaultPaths: { firewall: "cli:firewall", webfilter: "cli:webfilter", ips: "cli:ips" },
  helpers: { q },
  render(ctx) {
    const out: Artifact[] = [];
    if (ctx.kinds.includes("firewall")) out.push(artifact(ctx, "firewall", renderFirewall(ctx), ["firewall"]));
    if (ctx.kinds.includes("urlFilter")) out.push(artifact(ctx, "webfilter", renderWebfilter(ctx), ["urlFilter"]));
    if (ctx.kinds.includes("ipsExceptions")) out.push(artifact(ctx, "ips", renderIps(ctx), ["ipsExceptions"]));
    return out;
  },
};
