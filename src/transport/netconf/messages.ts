// What a NETCONF peer says, as values: hello, rpc-reply, rpc-error. Pure
// functions over parsed XML, so that they are tested without a server.
import { NC_NS, attr, escapeText, child, childElements, textOf, writeXml, type XmlElement } from "./xml.js";

export const BASE_10 = "urn:ietf:params:netconf:base:1.0";
export const BASE_11 = "urn:ietf:params:netconf:base:1.1";

export interface Hello {
  capabilities: string[];
  /** only a server's hello carries one */
  sessionId?: string;
}

export type RpcErrorSeverity = "error" | "warning";

export interface RpcError {
  type: string;
  tag: string;
  severity: RpcErrorSeverity;
  appTag?: string;
  path?: string;
  message?: string;
  /** error-info children by local name, as text (e.g. session-id, bad-element) */
  info: Record<string, string>;
}

export interface RpcReply {
  messageId: string;
  /** <ok/> was present */
  ok: boolean;
  /** the <data> element of a retrieval, when present */
  data?: XmlElement;
  /** all rpc-errors, warnings included */
  errors: RpcError[];
  root: XmlElement;
}

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

export function parseHello(root: XmlElement): Hello {
  if (root.local !== "hello" || root.ns !== NC_NS) throw new ProtocolError(`expected <hello>, got <${root.local}>`);
  const caps = child(root, "capabilities", NC_NS);
  if (!caps) throw new ProtocolError("the hello has no capabilities");
  const capabilities = childElements(caps)
    .filter((c) => c.local === "capability")
    .map((c) => textOf(c).trim());
  const sid = child(root, "session-id", NC_NS);
  return sid ? { capabilities, sessionId: textOf(sid).trim() } : { capabilities };
}

export function parseRpcReply(root: XmlElement): RpcReply {
  if (root.local !== "rpc-reply" || root.ns !== NC_NS) throw new ProtocolError(`expected <rpc-reply>, got <${root.local}>`);
  const errors = childElements(root)
    .filter((c) => c.local === "rpc-error" && c.ns === NC_NS)
    .map(parseRpcError);
  const data = child(root, "data", NC_NS);
  return {
    messageId: attr(root, "message-id") ?? "",
    ok: child(root, "ok", NC_NS) !== undefined,
    ...(data ? { data } : {}),
    errors,
    root,
  };
}

export function parseRpcError(el: XmlElement): RpcError {
  const field = (name: string): string | undefined => {
    const c = child(el, name);
    return c ? textOf(c).trim() : undefined;
  };
  // an unknown or missing severity counts as an error: fail closed
  const severity: RpcErrorSeverity = field("error-severity") === "warning" ? "warning" : "error";
  const info: Record<string, string> = {};
  const infoEl = child(el, "error-info");
  if (infoEl) {
    for (const c of childElements(infoEl)) {
      info[c.local] = childElements(c).length > 0 ? writeXml(c, { pretty: false }) : textOf(c).trim();
    }
  }
  const error: RpcError = { type: field("error-type") ?? "", tag: field("error-tag") ?? "", severity, info };
  const appTag = field("error-app-tag");
  const path = field("error-path");
  const message = field("error-message");
  if (appTag) error.appTag = appTag;
  if (path) error.path = path;
  if (message) error.message = message;
  return error;
}

/** errors that make the RPC a failure (warnings do not) */
export function failures(reply: RpcReply): RpcError[] {
  return reply.errors.filter((e) => e.severity === "error");
}

/** one line per rpc-error, for reports and exception messages */
export function formatRpcErrors(errors: RpcError[]): string {
  return errors
    .map((e) => {
      const where = e.path ? ` at ${e.path}` : "";
      const info = Object.entries(e.info)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      return `${e.severity} ${e.tag}${where}: ${e.message ?? "(no message)"}${info ? ` [${info}]` : ""}`;
    })
    .join("\n");
}

/** The RPC was answered with at least one rpc-error of severity error. */
export class RpcFailedError extends Error {
  constructor(
    readonly operation: string,
    readonly errors: RpcError[],
  ) {
    super(`${operation} failed: ${formatRpcErrors(errors.filter((e) => e.severity === "error"))}`);
    this.name = "RpcFailedError";
  }

  hasTag(tag: string): boolean {
    return this.errors.some((e) => e.severity === "error" && e.tag === tag);
  }
}

export function helloXml(capabilities: string[]): string {
  const caps = capabilities.map((c) => `<capability>${escapeText(c)}</capability>`).join("");
  return `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${NC_NS}"><capabilities>${caps}</capabilities></hello>`;
}
