// Value types of the inventory, each a zod schema with one clear message.
// These are the first line of defence against hostile input: anything that
// could end a statement in some vendor's configuration is refused here,
// before any template sees it.
import { domainToASCII } from "node:url";
import { z } from "zod";
import { embeddedIPv4, parsePrefix } from "./net.js";

/** Characters that would end a quoted string, a statement or a block in one of the dialects we render. */
const BREAKOUT_CHARS = /[\u0000-\u001f\u007f"'`\\{};#$]/u;

function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).padStart(4, "0").toUpperCase()})`;
  return `"${ch}"`;
}

/**
 * Invisible and text-direction controls: harmless to a device, but they make
 * a reviewed diff read differently from what is applied (Trojan Source,
 * CVE-2021-42574), and Japanese text never needs them.
 */
const INVISIBLE_CHARS = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;

/** Free text copied into device configurations as comments or descriptions (Japanese welcome). */
export const safeText = (max = 200) =>
  z
    .string()
    .max(max, { message: `is longer than ${max} characters` })
    .superRefine((value, ctx) => {
      const inv = INVISIBLE_CHARS.exec(value);
      if (inv) {
        const code = (inv[0].codePointAt(0) ?? 0).toString(16).padStart(4, "0").toUpperCase();
        ctx.addIssue({
          code: "custom",
          message: `contains an invisible or text-direction control character (U+${code}), which makes the text read differently from what it is`,
          params: { hint: "retype the text; copy-pasted text sometimes carries such characters" },
        });
        return;
      }
      const m = BREAKOUT_CHARS.exec(value);
      if (m) {
        ctx.addIssue({
          code: "custom",
          message: `contains ${describeChar(m[0])}, which could end the comment or statement it is copied into on a device`,
          params: { hint: "use plain text without quotes, backslashes, braces, semicolons, # or line breaks" },
        });
      }
    });

export const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, {
    message: "must start with a letter or digit and use only letters, digits, '-', '_' and '.' (at most 63)",
  });

export const orgId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, { message: "must be lowercase letters, digits and '-' (3-32 characters), e.g. 'tsu' or 'yokkaichi'" });

/** An IPv4/IPv6 address or CIDR prefix; host bits set is an error. Canonicalised. */
export const prefix = z.string().transform((value, ctx) => {
  const r = parsePrefix(value);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.reason });
    return z.NEVER;
  }
  const e = embeddedIPv4(r.prefix);
  if (e) {
    ctx.addIssue({ code: "custom", message: embeddedMessage(r.prefix.text, e.v4.text, e.form), params: { hint: `write ${e.v4.text}` } });
    return z.NEVER;
  }
  return r.prefix.text;
});

/**
 * Every isolation guard compares per address family; an IPv6 prefix that
 * embeds IPv4 would pass them all while squid and dual-stack hosts match it
 * against IPv4 traffic. Such prefixes are refused with the IPv4 form to use.
 */
function embeddedMessage(written: string, v4: string, form: string): string {
  return `${written} is the IPv4 prefix ${v4} written as ${form}; the address guards compare per family, so write the IPv4 form ${v4}`;
}

/** A single address (no prefix length). */
export const address = z.string().transform((value, ctx) => {
  const r = value.includes("/") ? undefined : parsePrefix(value);
  if (!r || !r.ok) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not an IPv4 or IPv6 address` });
    return z.NEVER;
  }
  const e = embeddedIPv4(r.prefix);
  if (e) {
    ctx.addIssue({ code: "custom", message: embeddedMessage(value, e.v4.text.split("/")[0]!, e.form) });
    return z.NEVER;
  }
  return r.prefix.text.split("/")[0]!;
});

export const port = z.number().int().min(1, { message: "ports are 1-65535" }).max(65535, { message: "ports are 1-65535" });

export interface PortRange {
  from: number;
  to: number;
}

/** 443 or "8000-8080" */
export const portRange = z.union([z.number(), z.string()]).transform((value, ctx): PortRange => {
  const text = String(value);
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const from = m ? Number(m[1]) : NaN;
  const to = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || from < 1 || to > 65535 || from > to) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a port (1-65535) or a range "low-high"` });
    return z.NEVER;
  }
  return { from, to };
});

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Converts an IDN to punycode and checks it; returns undefined when invalid. */
export function toAsciiDomain(value: string): string | undefined {
  // IDNA silently drops some invisible characters (U+200B, U+FEFF, U+00AD): refuse them, a name must read as it resolves
  if (value.length === 0 || value.length > 253 || BREAKOUT_CHARS.test(value) || INVISIBLE_CHARS.test(value) || /[\s\u00ad]/.test(value)) return undefined;
  const trimmed = value.endsWith(".") ? value.slice(0, -1) : value;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii || ascii.length > 253) return undefined;
  const labels = ascii.split(".");
  if (labels.length < 2) return undefined;
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return undefined;
  return ascii;
}

/** A domain name; IDN allowed and stored as punycode (xn--). */
export const domain = z.string().transform((value, ctx) => {
  const ascii = toAsciiDomain(value);
  if (!ascii) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not a valid domain name`,
      params: { hint: "letters, digits and '-' in dot-separated labels of at most 63 characters, e.g. city.tsu.mie.jp" },
    });
    return z.NEVER;
  }
  return ascii;
});

export const email = z.string().transform((value, ctx) => {
  const at = value.lastIndexOf("@");
  const local = value.slice(0, at);
  const dom = at > 0 ? toAsciiDomain(value.slice(at + 1)) : undefined;
  if (at <= 0 || !dom || !/^[A-Za-z0-9.!%+_=-]{1,64}$/.test(local) || local.startsWith(".") || local.endsWith(".")) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a valid e-mail address` });
    return z.NEVER;
  }
  return `${local}@${dom}`;
});

/** YYYY-MM-DD, a real calendar date. */
export const isoDate = z.string().refine(
  (value) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) return false;
    const d = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
  },
  { message: "must be a date written YYYY-MM-DD" },
);

export const sha256Fingerprint = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, { message: "must be an OpenSSH SHA256 fingerprint, e.g. SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8" });

export const absolutePath = z
  .string()
  .regex(/^\/[A-Za-z0-9_.+@/-]*$/, { message: "must be an absolute path of letters, digits and _ . + @ / -" })
  .refine((v) => !v.split("/").includes(".."), { message: "must not contain '..'" });

/** A path on this machine, relative to the inventory directory or absolute. */
export const localPath = z
  .string()
  .regex(/^[A-Za-z0-9_.+@/~-]+$/, { message: "must be a path of letters, digits and _ . + @ / ~ -" });

/** A shell command line from the NOC's own device file: one line, no control characters. */
export const commandLine = z
  .string()
  .min(1)
  .max(1000)
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { message: "must be a single line without control characters" });

/** Printable text for DNS TXT data and URL patterns: no control characters; quoting is the renderer's job. */
export const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max, { message: `is longer than ${max} characters` })
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { message: "contains a control character (line break, tab ...)" })
    .refine((v) => !INVISIBLE_CHARS.test(v), { message: "contains an invisible or text-direction control character" });

/** An IANA time zone the runtime knows, e.g. Asia/Tokyo (an unknown one would throw where dates are computed). */
export const timeZone = z.string().refine(
  (value) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: value });
      return true;
    } catch {
      return false;
    }
  },
  { message: "must be an IANA time zone, e.g. Asia/Tokyo" },
);

export const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,63}$/, { message: "must be an environment variable name in upper case, e.g. SCCONF_FW1_PASSWORD" });
