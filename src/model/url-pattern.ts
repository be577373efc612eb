// The inventory's URL patterns (urlFilter.block.urls / allow.urls, and URL
// block targets), parsed once for every renderer and check, so that each
// platform gives a pattern the same meaning:
//   [scheme://]host[:port][/path]   a prefix of the URL; host case-insensitive
//   "*"                             any run of characters (in the host: within the host name)
// Everything else is literal ("?" included: it starts a query string).
// A forward proxy without TLS interception (this cloud's squid; FortiOS with
// certificate inspection) sees only the host and port of an https request
// (CONNECT host:443): an https:// pattern can name a whole host, not a path.

export interface UrlPattern {
  /** lower-case scheme as written ("http", "https"), or undefined for "any scheme" */
  scheme?: string;
  /** the host as written, lower-cased; may contain "*" */
  host: string;
  /** the port as written after the host, if any */
  port?: string;
  /** "" or a path starting with "/", as written; may contain "*" */
  path: string;
}

export function parseUrlPattern(text: string): UrlPattern {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  const rest = scheme ? text.slice(scheme[0].length) : text;
  const slash = rest.indexOf("/");
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "" : rest.slice(slash);
  const colon = authority.lastIndexOf(":");
  const hasPort = colon >= 0 && /^[0-9]+$/.test(authority.slice(colon + 1));
  return {
    ...(scheme ? { scheme: scheme[1]!.toLowerCase() } : {}),
    host: (hasPort ? authority.slice(0, colon) : authority).toLowerCase(),
    ...(hasPort ? { port: authority.slice(colon + 1) } : {}),
    path,
  };
}

/** The path without trailing "*": a pattern is a prefix, so "/crack/*" and "/crack/" mean the same. */
export function pathPrefix(p: UrlPattern): string {
  return p.path.replace(/\*+$/, "");
}

/** True when the pattern names every URL of its host: no path, or "/" (and "/*"). */
export function namesWholeHost(p: UrlPattern): boolean {
  return pathPrefix(p) === "" || pathPrefix(p) === "/";
}

/** Why a proxy without TLS interception cannot enforce this pattern as written, or undefined when it can. */
export function httpsPathProblem(text: string): string | undefined {
  const p = parseUrlPattern(text);
  if (p.scheme !== "https" || namesWholeHost(p)) return undefined;
  return (
    `"${text}": without TLS interception a forward proxy sees only the host of an https request (CONNECT ${p.host}:${p.port ?? "443"}), never its path, ` +
    `so this entry would never match; name the whole host (https://${p.host}${p.port ? `:${p.port}` : ""}/) or a domain, or leave it out`
  );
}

/**
 * A block target's URL as a forward proxy without TLS interception can
 * enforce it: an https URL with a path becomes its whole host (the block's
 * DNS side refuses the whole name too); anything else is unchanged.
 */
export function blockableOnProxy(url: string): string {
  const p = parseUrlPattern(url);
  if (p.scheme !== "https" || namesWholeHost(p)) return url;
  return `https://${p.host}${p.port ? `:${p.port}` : ""}/`;
}
