import { describe, expect, it } from "vitest";
import { FrameDecoder, FramingError, decodeMessage, encodeMessage } from "../../src/transport/netconf/framing.js";
import { RpcFailedError, failures, parseHello, parseRpcReply } from "../../src/transport/netconf/messages.js";
import { XmlError, parseXml, semanticKey, textOf, writeXml, child } from "../../src/transport/netconf/xml.js";
import { canonicalXml, sameXmlContent } from "../../src/transport/netconf/artifacts.js";

const JA = "<rpc-reply><data><description>津市 接続団体 ファイアウォール</description></data></rpc-reply>";

/** every message the decoder yields for the given pushes, as text */
function drain(decoder: FrameDecoder, pushes: Buffer[]): string[] {
  const out: string[] = [];
  for (const p of pushes) {
    decoder.push(p);
    for (let m = decoder.next(); m; m = decoder.next()) out.push(decodeMessage(m));
  }
  return out;
}

/** one byte per push: every boundary, including inside multibyte characters and markers */
function bytewise(buf: Buffer): Buffer[] {
  return [...buf].map((b) => Buffer.from([b]));
}

describe("NETCONF 1.0 end-of-message framing", () => {
  it("splits two messages that arrive in one packet", () => {
    const both = Buffer.concat([encodeMessage("<a/>", "eom"), encodeMessage(JA, "eom")]);
    expect(drain(new FrameDecoder("eom"), [both])).toEqual(["<a/>", JA]);
  });

  it("reassembles a message and its ]]>]]> marker split at every byte, multibyte characters intact", () => {
    expect(drain(new FrameDecoder("eom"), bytewise(encodeMessage(JA, "eom")))).toEqual([JA]);
  });

  it("waits for more bytes instead of returning a partial message", () => {
    const d = new FrameDecoder("eom");
    d.push(Buffer.from("<a/>]]>]]"));
    expect(d.next()).toBeNull();
  });
});

describe("NETCONF 1.1 chunked framing", () => {
  it("round-trips Japanese text", () => {
    expect(drain(new FrameDecoder("chunked"), [encodeMessage(JA, "chunked")])).toEqual([JA]);
  });

  it("joins chunks whose boundary falls inside a multibyte character", () => {
    const body = Buffer.from(JA, "utf8");
    const cut = body.indexOf(Buffer.from("市", "utf8")) + 1; // inside the 3-byte "市"
    const framed = Buffer.concat([
      Buffer.from(`\n#${cut}\n`),
      body.subarray(0, cut),
      Buffer.from(`\n#${body.length - cut}\n`),
      body.subarray(cut),
      Buffer.from("\n##\n"),
    ]);
    expect(drain(new FrameDecoder("chunked"), [framed])).toEqual([JA]);
    expect(drain(new FrameDecoder("chunked"), bytewise(framed))).toEqual([JA]);
  });

  it("splits two messages that arrive in one packet", () => {
    const both = Buffer.concat([encodeMessage("<a/>", "chunked"), encodeMessage(JA, "chunked")]);
    expect(drain(new FrameDecoder("chunked"), [both])).toEqual(["<a/>", JA]);
  });

  it("switches framing after the hello without losing bytes that came in the same packet", () => {
    const d = new FrameDecoder("eom");
    d.push(Buffer.concat([encodeMessage("<hello/>", "eom"), encodeMessage(JA, "chunked")]));
    expect(decodeMessage(d.next() as Buffer)).toBe("<hello/>");
    d.framing = "chunked";
    expect(decodeMessage(d.next() as Buffer)).toBe(JA);
  });

  it.each([
    ["letters instead of a size", "\n#abc\n<a/>\n##\n"],
    ["a zero size", "\n#0\n\n##\n"],
    ["a leading zero", "\n#05\n<a/>\n##\n"],
    ["no header at all", "<a/>\n##\n"],
    ["an end-of-chunks marker without a chunk", "\n##\n"],
    ["a size beyond 4294967295", "\n#99999999999\n"],
  ])("reports a malformed chunk header (%s) as an error, not as 'need more bytes'", (_what, bytes) => {
    const d = new FrameDecoder("chunked");
    d.push(Buffer.from(bytes, "latin1"));
    expect(() => d.next()).toThrow(FramingError);
  });

  it("refuses a message that is not valid UTF-8", () => {
    expect(() => decodeMessage(Buffer.from([0x3c, 0xe6, 0xb4, 0x3e]))).toThrow(FramingError);
  });
});

describe("XML reading and canonical writing", () => {
  it("keeps leaf values as written", () => {
    const el = parseXml("<x><port>007</port><flag>true</flag><empty></empty></x>");
    expect(textOf(child(el, "port")!)).toBe("007");
    expect(writeXml(el)).toBe("<x>\n  <port>007</port>\n  <flag>true</flag>\n  <empty/>\n</x>");
  });

  it("resolves prefixes, so a prefixed and an unprefixed document are the same data", () => {
    const a = parseXml('<acls xmlns="urn:scconf:acl"><acl><name>a&amp;b</name></acl></acls>');
    const b = parseXml('<s:acls xmlns:s="urn:scconf:acl">\n  <s:acl><s:name><![CDATA[a&b]]></s:name></s:acl></s:acls>');
    expect(writeXml(b)).toBe(writeXml(a).replace(/^<acls xmlns="urn:scconf:acl"/, '<acls xmlns="urn:scconf:acl" xmlns:s="urn:scconf:acl"'));
    expect(semanticKey(a, new Set())).toBe(semanticKey(b, new Set()));
  });

  it("refuses DOCTYPE declarations and unknown entities", () => {
    expect(() => parseXml('<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')).toThrow(XmlError);
    expect(() => parseXml("<x>&e;</x>")).toThrow(XmlError);
    expect(() => parseXml("<x><y></x>")).toThrow(XmlError);
  });

  it("compares system-ordered lists by content but keeps the order of ordered-by-user entries", () => {
    const doc = (acls: string, aces: string) =>
      `<acls xmlns="urn:scconf:acl">${acls}<acl><name>m</name><aces>${aces}</aces></acl></acls>`;
    const aceA = "<ace><name>a</name></ace>";
    const aceB = "<ace><name>b</name></ace>";
    const aclZ = "<acl><name>z</name></acl>";
    expect(sameXmlContent(doc(aclZ, aceA + aceB), `${doc("", aceA + aceB).replace("</acls>", `${aclZ}</acls>`)}`)).toBe(true);
    expect(sameXmlContent(doc("", aceA + aceB), doc("", aceB + aceA))).toBe(false);
  });

  it("canonicalizes an empty container to null (absent)", () => {
    expect(canonicalXml('<acls xmlns="urn:scconf:acl">\n</acls>')).toBeNull();
    expect(canonicalXml('<acls xmlns="urn:scconf:acl"><acl><name>x</name></acl></acls>')).toBe(
      '<acls xmlns="urn:scconf:acl">\n  <acl>\n    <name>x</name>\n  </acl>\n</acls>\n',
    );
  });
});

describe("hello and rpc-reply parsing", () => {
  const NS = 'xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"';

  it("reads capabilities and the session id of a server hello", () => {
    const hello = parseHello(
      parseXml(`<hello ${NS}><capabilities><capability> urn:ietf:params:netconf:base:1.1 </capability></capabilities><session-id>7</session-id></hello>`),
    );
    expect(hello).toEqual({ capabilities: ["urn:ietf:params:netconf:base:1.1"], sessionId: "7" });
  });

  it("reads an rpc-error with severity, tag, path, message and error-info", () => {
    const reply = parseRpcReply(
      parseXml(
        `<nc:rpc-reply xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="4"><nc:rpc-error>
          <nc:error-type>protocol</nc:error-type><nc:error-tag>lock-denied</nc:error-tag>
          <nc:error-severity>error</nc:error-severity><nc:error-path>/nc:rpc/nc:lock</nc:error-path>
          <nc:error-message xml:lang="en">lock denied</nc:error-message>
          <nc:error-info><nc:session-id>12</nc:session-id></nc:error-info></nc:rpc-error></nc:rpc-reply>`,
      ),
    );
    expect(reply.messageId).toBe("4");
    expect(reply.errors).toEqual([
      { type: "protocol", tag: "lock-denied", severity: "error", path: "/nc:rpc/nc:lock", message: "lock denied", info: { "session-id": "12" } },
    ]);
    expect(failures(reply)).toHaveLength(1);
    expect(new RpcFailedError("lock", reply.errors).hasTag("lock-denied")).toBe(true);
  });

  it("does not count a warning as a failure", () => {
    const reply = parseRpcReply(
      parseXml(
        `<rpc-reply ${NS} message-id="5"><rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag>` +
          `<error-severity>warning</error-severity><error-message>deprecated node</error-message></rpc-error><ok/></rpc-reply>`,
      ),
    );
    expect(reply.errors[0]?.severity).toBe("warning");
    expect(failures(reply)).toEqual([]);
    expect(reply.ok).toBe(true);
  });

  it("treats an rpc-error without a known severity as an error (fail closed)", () => {
    const reply = parseRpcReply(parseXml(`<rpc-reply ${NS} message-id="6"><rpc-error><error-tag>x</error-tag></rpc-error></rpc-reply>`));
    expect(failures(reply)).toHaveLength(1);
  });
});
