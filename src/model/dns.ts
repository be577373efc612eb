// DNS presentation format shared by the bind (external view) and unbound
// (internal view) renderers, and by validation: record values are checked
// and turned into RFC 1035 presentation format here, once, so a value that
// BIND accepts is the same value unbound serves. Pure functions only.
import { isIP } from "node:net";
import { activeBlocks } from "./blocklist.js";
import { DNS_RECORD_TYPES } from "./schema.js";
import { parsePrefix } from "./net.js";
import { toAsciiDomain } from "./values.js";
import type { DnsRecord, DnsZone, Inventory } from "./types.js";

export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];
export type DnsView = "external" | "internal";

export type RecordValueResult =
  | { ok: true; rdata: string; warnings: string[] }
  | { ok: false; reason: string; hint?: string };

/** Options of the character-string encoder; unbound wraps RRs in single quotes, so it needs ' escaped too. */
export interface EncodeOptions {
  escapeApostrophe?: boolean;
}

const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/**
 * A target name of CNAME/NS/MX/SRV: absolute with a trailing dot; without one
 * it is relative to the zone, as in a zone file. Returned absolute, lower case.
 */
export function targetName(value: string, zone: string, allowRoot: boolean): RecordValueResult {
  if (value === ".") {
    return allowRoot ? { ok: true, rdata: ".", warnings: [] } : { ok: false, reason: `"." (the root) is not a valid target here` };
  }
  const absolute = value.endsWith(".");
  const bare = absolute ? value.slice(0, -1) : value;
  // IDN targets become punycode, like every other domain of the inventory
  const ascii = /[^\x20-\x7e]/.test(bare) ? toAsciiDomain(bare) : bare.toLowerCase();
  if (!ascii || !ascii.split(".").every((l) => LABEL.test(l))) {
    return { ok: false, reason: `"${value}" is not a host name`, hint: "dot-separated labels of letters, digits, '-' and '_'; end it with '.' when it is absolute" };
  }
  const full = absolute ? `${ascii}.` : `${ascii}.${zone}.`;
  if (full.length > 254) return { ok: false, reason: `"${value}" is longer than 253 characters as ${full}` };
  const warnings = absolute || !ascii.includes(".") ? [] : [`"${value}" has no trailing dot, so it means ${full}; write "${ascii}." if that is not meant`];
  return { ok: true, rdata: full, warnings };
}

/** The bytes of one character-string in quotes, escaped per RFC 1035 5.1: \" \\ and \DDD for anything not printable ASCII. */
export function quoteBytes(bytes: Uint8Array, options: EncodeOptions = {}): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += "\\\\";
    else if (b === 0x27 && options.escapeApostrophe) out += "\\039";
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += `\\${b.toString().padStart(3, "0")}`;
  }
  return `${out}"`;
}

/** TXT text -> one or more quoted strings of at most 255 bytes, split on character boundaries. */
export function txtRdata(text: string, options: EncodeOptions = {}): string {
  const bytes = new TextEncoder().encode(text);
  const parts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + 255, bytes.length);
    // do not cut a UTF-8 sequence: back off while the next byte is a continuation byte
    while (end < bytes.length && end > start + 1 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    parts.push(quoteBytes(bytes.subarray(start, end), options));
    start = end;
  }
  return parts.length ? parts.join(" ") : '""';
}

function uint(text: string | undefined, max: number): number | undefined {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/** CAA "flags tag value"; the value may be given in quotes (\" and \\ inside are read as escapes). */
function caaRdata(value: string, options: EncodeOptions): RecordValueResult {
  const m = /^(\d{1,3})\s+([A-Za-z0-9]{1,15})\s+(.+)$/.exec(value.trim());
  const flags = uint(m?.[1], 255);
  if (!m || flags === undefined) {
    return { ok: false, reason: `"${value}" is not a CAA value`, hint: 'write "flags tag value", e.g. 0 issue "letsencrypt.org"' };
  }
  let v = m[3] ?? "";
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(["\\])/g, "$1");
  if (/[^\x20-\x7e]/.test(v)) return { ok: false, reason: `the CAA value "${v}" must be printable ASCII` };
  const tag = (m[2] ?? "").toLowerCase();
  const known = ["issue", "issuewild", "iodef", "issuemail", "issuevmc", "contactemail", "contactphone"];
  const warnings = known.includes(tag) ? [] : [`CAA tag "${tag}" is not one of ${known.join(", ")}`];
  return { ok: true, rdata: `${flags} ${tag} ${quoteBytes(new TextEncoder().encode(v), options)}`, warnings };
}

/**
 * Checks a record value of the inventory and returns its presentation
 * format (names absolute). Used by the bind and unbound renderers and meant
 * for the validation layer too, so that a refused value is reported at its
 * file:line before any renderer sees it.
 *   A      IPv4 address          AAAA  IPv6 address
 *   CNAME  name                  NS    name
 *   MX     "pref host"           SRV   "priority weight port target"
 *   CAA    "flags tag value"     TXT   any printable text (quoting is ours)
 */
export function validateRecordValue(type: DnsRecordType, value: string, zone: string, options: EncodeOptions = {}): RecordValueResult {
  switch (type) {
    case "A":
    case "AAAA": {
      const family = type === "A" ? 4 : 6;
      if (isIP(value) !== family) return { ok: false, reason: `"${value}" is not an IPv${family} address` };
      const r = parsePrefix(value);
      if (!r.ok) return { ok: false, reason: r.reason };
      return { ok: true, rdata: r.prefix.text.split("/")[0] ?? value, warnings: [] };
    }
    case "CNAME":
    case "NS":
      return targetName(value, zone, false);
    case "MX": {
      const m = /^(\d{1,5})\s+(\S+)$/.exec(value.trim());
      const pref = uint(m?.[1], 65535);
      if (!m || pref === undefined) return { ok: false, reason: `"${value}" is not an MX value`, hint: 'write "preference host.", e.g. "10 mx1.example.jp."' };
      const host = targetName(m[2] ?? "", zone, true);
      return host.ok ? { ok: true, rdata: `${pref} ${host.rdata}`, warnings: host.warnings } : host;
    }
    case "SRV": {
      const m = /^(\d{1,5})\s+(\d{1,5})\s+(\d{1,5})\s+(\S+)$/.exec(value.trim());
      const nums = [uint(m?.[1], 65535), uint(m?.[2], 65535), uint(m?.[3], 65535)];
      if (!m || nums.some((n) => n === undefined)) {
        return { ok: false, reason: `"${value}" is not an SRV value`, hint: 'write "priority weight port target.", e.g. "10 5 5060 sip.example.jp."' };
      }
      const target = targetName(m[4] ?? "", zone, true);
      return target.ok ? { ok: true, rdata: `${nums.join(" ")} ${target.rdata}`, warnings: target.warnings } : target;
    }
    case "CAA":
      return caaRdata(value, options);
    case "TXT":
      return { ok: true, rdata: txtRdata(value, options), warnings: [] };
  }
}

/** "@" -> "zone.", "www" -> "www.zone." (record names of the inventory are relative to their zone). */
export function absoluteName(name: string, zone: string): string {
  return name === "@" ? `${zone}.` : `${name.toLowerCase()}.${zone}.`;
}

/** hostmaster@example.jp -> hostmaster.example.jp. (RFC 1035 mailbox; dots of the local part escaped). */
export function mailboxName(email: string): string {
  const at = email.lastIndexOf("@");
  return `${email.slice(0, at).replace(/\./g, "\\.")}.${email.slice(at + 1)}.`;
}

export interface RenderedRecord {
  /** relative name as in the inventory ("@", "www"), lower case */
  name: string;
  /** absolute name with a trailing dot */
  fqdn: string;
  type: DnsRecordType;
  ttl: number | undefined;
  rdata: string;
}

export type ZoneResult = { ok: true; records: RenderedRecord[] } | { ok: false; where: string; reason: string };

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The records of one zone for one view, checked and in a stable order
 * (apex first, then by name, type, value). Refuses what a zone cannot hold:
 * a CNAME at the apex or beside other data, one RRset with two TTLs.
 */
export function zoneRecords(zone: DnsZone, view: DnsView, options: EncodeOptions = {}): ZoneResult {
  const out: RenderedRecord[] = [];
  const seen = new Set<string>();
  for (const [i, r] of zone.records.entries()) {
    if (!(r.view === view || r.view === "both")) continue;
    const v = validateRecordValue(r.type, r.value, zone.zone, options);
    if (!v.ok) return { ok: false, where: `records[${i}].value`, reason: v.reason };
    const fqdn = absoluteName(r.name, zone.zone);
    if (fqdn.length > 254) return { ok: false, where: `records[${i}].name`, reason: `${fqdn} is longer than 253 characters` };
    const key = `${fqdn} ${r.type} ${v.rdata}`;
    if (seen.has(key)) continue; // an identical record twice is one record in DNS
    seen.add(key);
    out.push({ name: r.name === "@" ? "@" : r.name.toLowerCase(), fqdn, type: r.type, ttl: r.ttl, rdata: v.rdata });
  }
  out.sort((a, b) => compareText(a.name === "@" ? "" : a.name, b.name === "@" ? "" : b.name) || compareText(a.type, b.type) || compareText(a.rdata, b.rdata));
  const byName = new Map<string, RenderedRecord[]>();
  for (const r of out) byName.set(r.fqdn, [...(byName.get(r.fqdn) ?? []), r]);
  for (const [fqdn, rs] of byName) {
    const cnames = rs.filter((r) => r.type === "CNAME");
    if (cnames.length && fqdn === `${zone.zone}.`) return { ok: false, where: "records", reason: `a CNAME at the zone apex ${fqdn} cannot coexist with its SOA and NS records` };
    if (cnames.length && rs.length > 1) return { ok: false, where: "records", reason: `${fqdn} has a CNAME and other records; a CNAME must stand alone` };
    const ttls = new Map<string, Set<number | undefined>>();
    for (const r of rs) ttls.set(r.type, (ttls.get(r.type) ?? new Set()).add(r.ttl));
    for (const [type, set] of ttls) {
      if (set.size > 1) return { ok: false, where: "records", reason: `the ${type} records of ${fqdn} have different TTLs; one RRset has one TTL` };
    }
  }
  return { ok: true, records: out };
}

/** Whether a zone has any record for the view. */
export function hasRecordsFor(zone: DnsZone, view: DnsView): boolean {
  return zone.records.some((r: DnsRecord) => r.view === view || r.view === "both");
}

/**
 * The domains of the blocklist (cloud.yaml and emergency.yaml) in force today;
 * a URL target gives its host. Address targets are for the firewalls and are skipped here; a target that
 * is neither an address nor a domain is returned in `invalid` so the
 * renderer can refuse it instead of dropping it.
 */
export function blockedDomains(inventory: Pick<Inventory, "cloud" | "emergency">, today: string): { domains: string[]; invalid: string[] } {
  const domains = new Set<string>();
  const active = activeBlocks(inventory, today);
  for (const b of active.blocks) {
    // a URL's host is refused as a whole: DNS cannot tell paths apart
    if (b.target.kind !== "prefix") domains.add(b.target.domain);
  }
  return { domains: [...domains].sort(), invalid: active.invalid.map((i) => i.written) };
}

// ───────────────────────── SOA serial ─────────────────────────
// Rendering is pure, so it cannot know the serial on the device. It renders
// YYYYMMDD00 from ctx.today (two renders on one day give the same bytes); the
// plan layer (plan/build.ts zoneAgainst) reads the device's zone with
// parseSerial() and, when the content differs, writes serialAfter(current,
// rendered) with withSerial().

const MAX_SERIAL = 4294967295;

/** YYYYMMDDnn for a YYYY-MM-DD date and a counter 0-99. */
export function serialFor(today: string, counter = 0): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today) || counter < 0 || counter > 99) throw new Error(`no serial for ${today}/${counter}`);
  return Number(today.replace(/-/g, "")) * 100 + counter;
}

/** The serial a changed zone gets: today's first serial, or one more than the current when that is already higher. */
export function nextSerial(current: number | undefined, today: string): number {
  return serialAfter(current, serialFor(today));
}

/** `floor` (the rendered serial), or one more than the current when that is already at or above it. */
export function serialAfter(current: number | undefined, floor: number): number {
  if (current === undefined || current < floor) return floor;
  if (current >= MAX_SERIAL) throw new Error(`serial ${current} cannot be increased without RFC 1982 wrap-around; do it by hand`);
  return current + 1;
}

interface Token {
  text: string;
  start: number;
}

/** The tokens of a zone file up to the SOA serial, skipping comments, quotes and parentheses. */
function soaSerialToken(zoneText: string): Token | undefined {
  const tokens: Token[] = [];
  const re = /;[^\n]*|"(?:[^"\\]|\\.)*"|[()]|[^\s;()"]+/g;
  let m: RegExpExecArray | null;
  let soaAt = -1;
  while ((m = re.exec(zoneText))) {
    const t = m[0];
    if (t.startsWith(";") || t === "(" || t === ")") continue;
    tokens.push({ text: t, start: m.index });
    if (soaAt < 0 && t.toUpperCase() === "SOA") soaAt = tokens.length - 1;
    // SOA mname rname SERIAL
    if (soaAt >= 0 && tokens.length === soaAt + 4) return tokens[soaAt + 3];
  }
  return undefined;
}

/** The SOA serial of a zone file's text, or undefined when there is none. */
export function parseSerial(zoneText: string): number | undefined {
  const t = soaSerialToken(zoneText);
  if (!t || !/^\d{1,10}$/.test(t.text)) return undefined;
  const n = Number(t.text);
  return n <= MAX_SERIAL ? n : undefined;
}

/** The zone text with its SOA serial replaced; nothing else changes. */
export function withSerial(zoneText: string, serial: number): string {
  if (!Number.isInteger(serial) || serial < 0 || serial > MAX_SERIAL) throw new Error(`invalid SOA serial ${serial}`);
  const t = soaSerialToken(zoneText);
  if (!t || !/^\d{1,10}$/.test(t.text)) throw new Error("the zone text has no SOA serial");
  return zoneText.slice(0, t.start) + String(serial) + zoneText.slice(t.start + t.text.length);
}
