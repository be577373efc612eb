// Redaction of running configurations before they reach the backup repository.
//
// Secrets are replaced by a keyed hash, never dropped: a changed secret still
// shows as a change in the history, an unchanged one gives a stable diff, and
// the value itself never lands. The rules lean towards hashing too much: a
// hashed non-secret costs a little readability of the audit copy, a missed
// secret is a leak. `detect.ts` is the independent second line behind this.
import { createHmac } from "node:crypto";

/** Matches a token this module produced, so that a second pass never hashes a hash. */
export const REDACTION_TOKEN = /<redacted:(?:[a-z-]+:)?hmac:[0-9a-f]{12}>/;

export function redactionToken(value: string, key: Buffer, kind?: string): string {
  const mac = createHmac("sha256", key).update(value, "utf8").digest("hex").slice(0, 12);
  return kind ? `<redacted:${kind}:hmac:${mac}>` : `<redacted:hmac:${mac}>`;
}

type Hash = (value: string) => string;

/** A word inside a configuration key that makes its value a secret. */
const SECRET_WORD =
  /passw(?:or)?d|passphrase|pwd|secret|psk|community|private[-_]?key|api[-_]?key|apikey|token|authentication-key|auth-key|pre-shared-key|shared-key|key-string|md5-key|(?:^|[-_.])pw$/i;

/** Keys that contain a secret word but are known to carry no secret (a switch or a feature name). */
const SAFE_KEYS = new Set(["server_tokens", "community-id", "community-id-seed"]);

const KEY_TOKEN = /[^\s"'=:;{}(),<>]+/y;
const SEPARATOR = /\s*[:=]\s*|\s+/y;
/** Words between a key and its secret that say how the secret is encoded; kept for readability. */
const VALUE_PREFIX = /(?:ENC|ascii-text|hexadecimal)\s+/y;
const TRAILER = /[\s;{},]*$/;

const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$(?![\s\S]))/g;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@"'<>]+:)([^\s/@"'<>]+)(@)/gi;
const SQUID_LOGIN = /(\blogin=[^\s:"']*:)([^\s"']+)/g;
const HAPROXY_STATS_AUTH = /(\bstats\s+auth\s+[^\s:]+:)(\S+)/g;
/** net-snmp "com2sec NAME SOURCE COMMUNITY": the community is the last word, after no keyword. */
const NETSNMP_COM2SEC = /^(\s*com2sec6?\s+(?:-Cn\s+\S+\s+)?\S+\s+\S+\s+)(\S+)/;
/** An XML element with text content (NETCONF running configurations): <encrypted-password>...</encrypted-password> */
const XML_LEAF = /<((?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*))(\s[^>]*)?>([^<]+)<\/\1>/g;
/** A postfix lookup-table line "destination user:password" (smtp_sasl_password_maps content). */
const POSTFIX_MAP_CREDENTIAL = /^(\s*[^\s#=]\S*\s+[^\s:=]+:)(\S+?)(\s*)$/;
const POSTFIX_TRANSPORT_ENTRY =
  /^\s*\S+\s+(?:smtp|lmtp|relay|local|virtual|retry|discard|error|pipe|uucp|bsmtp|amavis|smtp-amavis|dovecot):(?:\[[^\]\s]+\]|[A-Za-z0-9.-]*)(?::\d+)?\s*$/;

/**
 * Replaces the secrets in a running configuration by keyed hashes.
 * The platform selects the few rules whose shape is ambiguous elsewhere
 * (postfix table lines); every other rule applies to every platform, because
 * a running configuration can embed foreign text (a FortiOS private key, a
 * URL with credentials in a squid config).
 */
export function redact(text: string, platform: string, key: Buffer): string {
  const hash: Hash = (value) => redactionToken(value, key);
  const withoutPem = text.replace(PEM_PRIVATE_KEY, (block) => redactionToken(block, key, "pem"));
  const fortios = new FortiosContext();
  return withoutPem
    .split("\n")
    .map((line) => {
      let out = line
        .replace(URL_USERINFO, (_m, pre: string, secret: string, at: string) => pre + hash(secret) + at)
        .replace(SQUID_LOGIN, (m, pre: string, secret: string) => (isToken(secret) ? m : pre + hash(secret)))
        .replace(HAPROXY_STATS_AUTH, (m, pre: string, secret: string) => (isToken(secret) ? m : pre + hash(secret)))
        .replace(XML_LEAF, (m, tag: string, name: string, attrs: string | undefined, text: string) =>
          (name === "key" || isSecretKey(name)) && !isToken(text) ? `<${tag}${attrs ?? ""}>${hash(text)}</${tag}>` : m,
        )
        .replace(NETSNMP_COM2SEC, (m, pre: string, secret: string) => (isToken(secret) ? m : pre + hash(secret)));
      if (platform === "postfix") out = redactPostfixMapLine(out, hash);
      out = fortios.redact(out, hash);
      return redactKeyValues(out, hash);
    })
    .join("\n");
}

function isToken(value: string): boolean {
  return value.startsWith("<redacted");
}

function redactPostfixMapLine(line: string, hash: Hash): string {
  if (POSTFIX_TRANSPORT_ENTRY.test(line) || REDACTION_TOKEN.test(line)) return line;
  const m = POSTFIX_MAP_CREDENTIAL.exec(line);
  if (!m || isToken(m[2]!)) return line;
  return m[1]! + hash(m[2]!) + m[3]!;
}

/**
 * FortiOS names an SNMP community with "set name" inside
 * "config system snmp community": only the block context says it is a secret.
 */
class FortiosContext {
  private readonly blocks: string[] = [];

  redact(line: string, hash: Hash): string {
    const trimmed = line.trim();
    const config = /^config\s+(.+)$/.exec(trimmed);
    if (config) this.blocks.push(config[1]!);
    else if (trimmed === "end") this.blocks.pop();
    const inCommunity = /\bsnmp community$/.test(this.blocks.at(-1) ?? "");
    if (!inCommunity) return line;
    return line.replace(/^(\s*set\s+name\s+)(?:"([^"]*)"|(\S+))(.*)$/, (m, pre: string, quoted?: string, bare?: string, rest?: string) => {
      const value = quoted ?? bare ?? "";
      if (isToken(value)) return m;
      return quoted !== undefined ? `${pre}"${hash(value)}"${rest ?? ""}` : `${pre}${hash(value)}${rest ?? ""}`;
    });
  }
}

/** Index of the closing quote of the string opened at `start`, or -1 when it is not closed on this line. */
function closingQuote(line: string, start: number): number {
  const quote = line[start];
  for (let i = start + 1; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === quote) return i;
  }
  return -1;
}

/**
 * The general rule: a key containing a secret word has its value hashed, in
 * the shapes "key value", "key = value", "key: value", "set ... key value",
 * "key=value" and '"key": "value"'. A quoted value is hashed inside its
 * quotes and the scan goes on (several secrets on one line, as in bind's
 * one-line key blocks); an unquoted value runs to the end of the line, because
 * where an unquoted secret ends is unknowable and hashing too much is safe.
 */
function redactKeyValues(line: string, hash: Hash): string {
  let out = "";
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    let keyEnd: number;
    let isKey: boolean;
    let junosKey = false;
    if (c === '"' || c === "'") {
      const end = closingQuote(line, i);
      if (end < 0) return out + line.slice(i);
      keyEnd = end + 1;
      // a quoted string is a key only when a separator follows (JSON, UCL)
      isKey = isSecretKey(line.slice(i + 1, end)) && /^\s*[:=]/.test(line.slice(keyEnd));
    } else {
      KEY_TOKEN.lastIndex = i;
      const m = KEY_TOKEN.exec(line);
      if (!m) {
        out += c;
        i++;
        continue;
      }
      keyEnd = i + m[0].length;
      // Junos: "authentication md5 1 key "$9$..."", but bind's 'key "name" {' names a block
      junosKey = m[0] === "key";
      isKey = junosKey || isSecretKey(m[0]);
    }
    out += line.slice(i, keyEnd);
    i = keyEnd;
    if (!isKey) continue;
    const value = redactValueAfter(line, keyEnd, hash, junosKey);
    out += value.text;
    if (value.next === undefined) return out;
    i = value.next;
  }
  return out;
}

function isSecretKey(key: string): boolean {
  return SECRET_WORD.test(key) && !key.includes("/") && !SAFE_KEYS.has(key.toLowerCase());
}

/** Redacts the value that follows a key ending at `keyEnd`; `next` is where scanning goes on, undefined at end of line. */
function redactValueAfter(
  line: string,
  keyEnd: number,
  hash: Hash,
  onlyQuotedLeaf: boolean,
): { text: string; next: number | undefined } {
  SEPARATOR.lastIndex = keyEnd;
  const sep = SEPARATOR.exec(line);
  const passOver = { text: "", next: keyEnd };
  if (!sep || keyEnd + sep[0].length >= line.length) return passOver;
  // a bare "key" is a Junos leaf only as "key <value>"; key="..." is an XML attribute or a map entry
  if (onlyQuotedLeaf && /[:=]/.test(sep[0])) return passOver;
  let v = keyEnd + sep[0].length;
  VALUE_PREFIX.lastIndex = v;
  const prefix = VALUE_PREFIX.exec(line);
  if (prefix) v += prefix[0].length;
  const head = line.slice(keyEnd, v);
  const c = line[v]!;
  const quoted = c === '"' || c === "'";
  if (isToken(line.slice(quoted ? v + 1 : v))) return passOver;
  if (c === "{" || c === ";") return passOver;
  if (quoted) {
    const end = closingQuote(line, v);
    if (end >= 0) {
      if (onlyQuotedLeaf && /^\s*\{/.test(line.slice(end + 1))) return passOver;
      return { text: `${head}${c}${hash(line.slice(v + 1, end))}${c}`, next: end + 1 };
    }
  }
  if (onlyQuotedLeaf) return passOver;
  const rest = line.slice(v);
  const trailer = TRAILER.exec(rest)![0];
  const secret = rest.slice(0, rest.length - trailer.length);
  if (secret === "") return passOver;
  return { text: `${head}${hash(secret)}${trailer}`, next: undefined };
}
