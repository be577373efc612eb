// Hostile input: every free-text field that reaches a device refuses what
// could end a statement there, and malformed files are refused with a
// location instead of crashing the tool.
import { afterAll, describe, expect, it } from "vitest";
import { col } from "./col.js";
import { cleanupInventories, expectFinding, KAMEYAMA, kameyama, validateWith } from "./edit.js";

afterAll(cleanupInventories);

const RULE = (extra: string) => `  - { name: a, from: [internet], to: [web], protocol: tcp, ports: [443], action: accept${extra} }`;

/** [what, body lines from line 11, the line with the bad value, the text where the column points, a message fragment] */
const FIELDS: Array<[string, string[], number, string, string]> = [
  ["a rule comment with a double quote", ["firewall:", RULE(`, comment: 'ok"; reboot'`)], 12, "'ok", 'contains """'],
  ["a rule comment with a line break", ["firewall:", RULE(`, comment: "ok\\nset system login"`)], 12, '"ok', "a control character (U+000A)"],
  ["a rule comment with a brace", ["firewall:", RULE(", comment: 'x } y'")], 12, "'x", 'contains "}"'],
  ["a rule name with a semicolon", ["firewall:", "  - { name: 'a;b', from: [internet], to: [web], protocol: tcp, action: accept }"], 12, "'a;b'", "must start with a letter or digit"],
  ["a rule name with a right-to-left override", ["firewall:", '  - { name: "ab\\u202Ec", from: [internet], to: [web], protocol: tcp, action: accept }'], 12, '"ab', "must start with a letter or digit"],
  ["an IPS reason with a backslash", ["ipsExceptions:", "  - { name: fp, signature: 1, scope: [lan], reason: 'a\\b' }"], 12, "'a", 'contains "\\"'],
  ["an IPS reason with a right-to-left override", ["ipsExceptions:", '  - { name: fp, signature: 1, scope: [lan], reason: "誤検知\\u202E" }'], 12, '"誤', "text-direction control character (U+202E)"],
  ["a reverse-proxy comment with a backtick", ["reverseProxy:", "  - { name: w, hostname: w.city.kameyama.example.jp, origin: { address: 10.9.0.1, port: 80 }, comment: 'a`id`' }"], 12, "'a`", 'contains "`"'],
  ["a mail route comment with a dollar sign", ["mailRelay:", "  - { domain: city.kameyama.example.jp, nextHop: 10.9.0.25, comment: 'cost $5' }"], 12, "'cost", 'contains "$"'],
  ["a spam exclusion reason with a hash", ["spamExclusions:", "  - { name: x, sender: a.example.com, reason: 'a # b' }"], 12, "'a #", 'contains "#"'],
  ["a URL pattern with a space", ["urlFilter:", "  block: { urls: ['example.org/a b'] }"], 12, "'example", "may not contain spaces"],
  ["a URL pattern with a quote", ["urlFilter:", `  block: { urls: ['example.org/a"b'] }`], 12, "'example", "may not contain spaces, quotes"],
  ["a URL pattern with a line break", ["urlFilter:", '  block: { urls: ["example.org/a\\nb"] }'], 12, '"example', "control character"],
  ["a TXT value with a control character", ["dns:", "  - zone: city.kameyama.example.jp", '    records: [{ name: "@", type: TXT, value: "v=spf1\\u0007 -all" }]'], 13, '"v=spf1', "control character"],
  ["a TXT value with a line break", ["dns:", "  - zone: city.kameyama.example.jp", '    records: [{ name: "@", type: TXT, value: "a\\n$INCLUDE /etc/passwd" }]'], 13, '"a\\n', "control character"],
  ["a domain with a semicolon", ["mailRelay:", "  - { domain: 'x.city.kameyama.example.jp;', nextHop: 10.9.0.25 }"], 12, "'x.", "is not a valid domain name"],
  ["a domain with a right-to-left override", ["mailRelay:", '  - { domain: "x\\u202E.city.kameyama.example.jp", nextHop: 10.9.0.25 }'], 12, '"x', "is not a valid domain name"],
];

describe("hostile free text", () => {
  it.each(FIELDS)("refuses %s", (_what, body, line, needle, message) => {
    const file = kameyama(...body);
    const text = file.split("\n")[line - 1]!;
    const r = validateWith({ [KAMEYAMA]: file });
    expectFinding(r.diagnostics, { severity: "error", code: "schema", file: KAMEYAMA, line, column: col(text, needle), message });
    expect(r.inventory).toBeUndefined();
  });

  /** Replaces one line of the fixed kameyama header and validates. */
  const withHeaderLine = (n: number, line: string) => {
    const lines = kameyama().split("\n");
    lines[n - 1] = line;
    return validateWith({ [KAMEYAMA]: lines.join("\n") });
  };

  it("refuses an organization name with a right-to-left override", () => {
    const line = 'name: { ja: "亀山市\\u202E", en: Kameyama City }';
    const r = withHeaderLine(2, line);
    expectFinding(r.diagnostics, { code: "schema", file: KAMEYAMA, line: 2, column: col(line, '"亀'), path: "name.ja", message: "U+202E" });
  });

  it("refuses an organization name with a zero-width joiner", () => {
    const line = 'name: { ja: 亀山市, en: "Kameyama\\u200DCity" }';
    const r = withHeaderLine(2, line);
    expectFinding(r.diagnostics, { code: "schema", file: KAMEYAMA, line: 2, column: col(line, '"Kame'), path: "name.en", message: "U+200D" });
  });

  it("refuses a network name with a zero-width space", () => {
    const line = '  - { name: "l\\u200Ban", cidr: 10.9.0.0/16 }';
    const r = withHeaderLine(7, line);
    expectFinding(r.diagnostics, { code: "schema", file: KAMEYAMA, line: 7, column: col(line, '"l'), path: "networks[0].name", message: "must start with a letter or digit" });
  });

  it("refuses a network description with a semicolon", () => {
    const line = "  - { name: lan, cidr: 10.9.0.0/16, description: 'a; b' }";
    const r = withHeaderLine(7, line);
    expectFinding(r.diagnostics, { code: "schema", file: KAMEYAMA, line: 7, column: col(line, "'a;"), path: "networks[0].description", message: 'contains ";"' });
  });
});

describe("hostile files", () => {
  it("refuses YAML aliases beyond the limit (billion laughs)", () => {
    const levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) levels.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(",")}]`);
    const r = validateWith({ [KAMEYAMA]: kameyama(...levels) });
    expectFinding(r.diagnostics, { severity: "error", code: "yaml", file: KAMEYAMA, line: 1, column: 1, message: "aliases expand beyond the limit" });
  });

  it("refuses duplicate keys at the second key", () => {
    const r = validateWith({ [KAMEYAMA]: kameyama("kind: town") });
    expectFinding(r.diagnostics, { code: "yaml", file: KAMEYAMA, line: 11, column: 1, message: "duplicate key" });
  });

  it("refuses a file over 1 MiB", () => {
    const r = validateWith({ [KAMEYAMA]: kameyama(...Array.from({ length: 20000 }, (_, i) => `# padding ${i} ${"x".repeat(50)}`)) });
    expectFinding(r.diagnostics, { code: "yaml", file: KAMEYAMA, line: 1, column: 1, message: "inventory files are limited to 1048576 bytes" });
  });

  it("refuses a file that is not UTF-8 (Shift_JIS), where the first bad byte is", () => {
    const sjis = Buffer.concat([Buffer.from("id: kameyama\nname: { ja: "), Buffer.from([0x8b, 0x54, 0x8e, 0x52, 0x8e, 0x73]), Buffer.from(", en: Kameyama }\n")]);
    const r = validateWith({ [KAMEYAMA]: sjis });
    expectFinding(r.diagnostics, { code: "yaml", file: KAMEYAMA, line: 2, column: 13, message: "not valid UTF-8" });
  });

  it("refuses an empty file, naming the first missing field", () => {
    const r = validateWith({ [KAMEYAMA]: "" });
    expectFinding(r.diagnostics, { code: "schema", file: KAMEYAMA, line: 1, column: 1, path: "id", message: 'the required field "id" is missing' });
  });

  it("refuses a file that is a list instead of a mapping", () => {
    const r = validateWith({ [KAMEYAMA]: "- id: kameyama\n- kind: city\n" });
    expectFinding(r.diagnostics, { code: "schema", file: KAMEYAMA, line: 1, column: 1, message: "must be a mapping" });
  });

  it("refuses deeply nested junk without exhausting the stack", () => {
    const deep = "junk: " + "[".repeat(5000) + "]".repeat(5000);
    const r = validateWith({ [KAMEYAMA]: kameyama(deep) });
    expect(r.errors).toBeGreaterThan(0);
    expect(r.diagnostics.every((d) => d.line >= 1 && d.column >= 1)).toBe(true);
    expect(r.diagnostics.some((d) => d.file.endsWith(KAMEYAMA))).toBe(true);
  });

  it("refuses moderately nested junk as an unknown field", () => {
    const deep = "junk: " + "[".repeat(100) + "]".repeat(100);
    const r = validateWith({ [KAMEYAMA]: kameyama(deep) });
    expectFinding(r.diagnostics, { code: "unknown-key", file: KAMEYAMA, line: 11, column: 1 });
  });
});
