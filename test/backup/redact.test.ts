import { describe, expect, it } from "vitest";
import { detectSecrets } from "../../src/backup/detect.js";
import { REDACTION_TOKEN, redact } from "../../src/backup/redact.js";

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 9);

/** each case: platform, a line carrying a planted secret, the planted value, and what must survive */
const CASES: { name: string; platform: string; line: string; secret: string; keeps?: string }[] = [
  { name: "Junos root encrypted-password", platform: "junos", line: 'set system root-authentication encrypted-password "$6$salt$PLANT1hash"', secret: "PLANT1hash", keeps: 'set system root-authentication encrypted-password "<redacted:hmac:' },
  { name: "Junos radius secret", platform: "junos", line: 'set system radius-server 192.0.2.5 secret "$9$PLANT2rad"', secret: "PLANT2rad", keeps: "set system radius-server 192.0.2.5 secret" },
  { name: "Junos ntp authentication-key", platform: "junos", line: 'set system ntp authentication-key 1 type md5 value "$9$PLANT3ntp"', secret: "PLANT3ntp" },
  { name: "Junos ike pre-shared-key", platform: "junos", line: 'set security ike policy p1 pre-shared-key ascii-text "$9$PLANT4psk"', secret: "PLANT4psk", keeps: "pre-shared-key ascii-text \"<redacted" },
  { name: "Junos snmp community", platform: "junos", line: "set snmp community PLANT5comm authorization read-only", secret: "PLANT5comm" },
  { name: "Junos ospf md5 key", platform: "junos", line: 'set protocols ospf area 0 interface ge-0/0/0.0 authentication md5 1 key "$9$PLANT6ospf"', secret: "PLANT6ospf" },
  { name: "Junos curly encrypted-password", platform: "junos", line: '        encrypted-password "$6$x$PLANT7curly"; ## SECRET-DATA', secret: "PLANT7curly", keeps: "; ## SECRET-DATA" },
  { name: "Junos curly community", platform: "junos", line: "    community PLANT8curly {", secret: "PLANT8curly", keeps: " {" },
  { name: "FortiOS set password ENC", platform: "fortios", line: "        set password ENC SH2PLANT9AAAAAAAAAAAAAAAA=", secret: "SH2PLANT9", keeps: "set password ENC <redacted" },
  { name: "FortiOS set passwd", platform: "fortios", line: "        set passwd PLANT10", secret: "PLANT10" },
  { name: "FortiOS set psksecret", platform: "fortios", line: "        set psksecret ENC PLANT11AAAAAAAAAAAA==", secret: "PLANT11" },
  { name: "FortiOS snmpv3 auth-pwd", platform: "fortios", line: "        set auth-pwd ENC PLANT12AAAAAAAAAAAA==", secret: "PLANT12" },
  { name: "FortiOS set community", platform: "fortios", line: '        set community "PLANT13"', secret: "PLANT13" },
  { name: "net-snmp rocommunity", platform: "nftables", line: "rocommunity PLANT14 192.0.2.0/24", secret: "PLANT14" },
  { name: "net-snmp com2sec", platform: "nftables", line: "com2sec readonly default PLANT15", secret: "PLANT15", keeps: "com2sec readonly default <redacted" },
  { name: "postfix sasl table line", platform: "postfix", line: "[smtp.example.jp]:587 relayuser:PLANT16", secret: "PLANT16", keeps: "[smtp.example.jp]:587 relayuser:<redacted" },
  { name: "postfix ldap bind_pw", platform: "postfix", line: "bind_pw = PLANT17", secret: "PLANT17" },
  { name: "postfix smtp_sasl_password_maps", platform: "postfix", line: "smtp_sasl_password_maps = hash:/etc/postfix/PLANT18", secret: "PLANT18" },
  { name: "nginx ssl_password_file", platform: "nginx", line: "    ssl_password_file /etc/nginx/PLANT19.pass;", secret: "PLANT19", keeps: ";" },
  { name: "haproxy userlist password", platform: "haproxy", line: "    user admin password $6$hs$PLANT20", secret: "PLANT20" },
  { name: "haproxy insecure-password", platform: "haproxy", line: "    user ops insecure-password PLANT21", secret: "PLANT21" },
  { name: "haproxy stats auth", platform: "haproxy", line: "    stats auth admin:PLANT22", secret: "PLANT22", keeps: "stats auth admin:<redacted" },
  { name: "squid cache_peer login", platform: "squid", line: "cache_peer up.example.jp parent 3128 0 no-query login=proxy:PLANT23", secret: "PLANT23", keeps: "login=proxy:<redacted" },
  { name: "bind key secret", platform: "bind", line: '    secret "PLANT24c2VjcmV0c2VjcmV0c2VjcmV0";', secret: "PLANT24" },
  { name: "bind one-line key block", platform: "bind", line: 'key "k" { algorithm hmac-sha256; secret "PLANT25=="; };', secret: "PLANT25", keeps: 'key "k" { algorithm hmac-sha256; secret "<redacted' },
  { name: "rspamd password", platform: "rspamd", line: 'password = "PLANT26";', secret: "PLANT26", keeps: 'password = "<redacted' },
  { name: "rspamd enable_password", platform: "rspamd", line: 'enable_password = "$2$PLANT27";', secret: "PLANT27" },
  { name: "generic api-key", platform: "squid", line: "api-key = PLANT28", secret: "PLANT28" },
  { name: "generic yaml token", platform: "suricata", line: "  api_token: PLANT29", secret: "PLANT29" },
  { name: "generic json private-key", platform: "rspamd", line: '  "private-key": "PLANT30",', secret: "PLANT30" },
  { name: "credentials in a URL", platform: "squid", line: "proxy = http://user:PLANT31@proxy.example.jp:8080/", secret: "PLANT31", keeps: "@proxy.example.jp:8080/" },
  { name: "NETCONF XML password leaf", platform: "ietf-acl", line: "      <password>$6$x$PLANT33</password>", secret: "PLANT33", keeps: "<password><redacted:hmac:" },
  { name: "Junos XML md5 key", platform: "junos", line: '<md5><name>1</name><key junos:key="key">$9$PLANT34</key></md5>', secret: "PLANT34", keeps: "<md5><name>1</name><key junos:key=\"key\"><redacted" },
  { name: "secret in a comment", platform: "nginx", line: "# the password is PLANT32", secret: "PLANT32" },
];

describe("redact", () => {
  for (const c of CASES) {
    it(`hashes ${c.name}`, () => {
      const out = redact(`before\n${c.line}\nafter\n`, c.platform, KEY);
      expect(out).not.toContain(c.secret);
      expect(out).toMatch(REDACTION_TOKEN);
      expect(out.startsWith("before\n") && out.endsWith("\nafter\n")).toBe(true);
      if (c.keeps) expect(out).toContain(c.keeps);
      expect(detectSecrets(out)).toEqual([]);
    });
  }

  it("replaces a PEM private key block whole, and keeps certificates", () => {
    const text = [
      "config vpn certificate local",
      '    edit "gw"',
      '        set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----',
      "MIIFPLANTpem1",
      "PLANTpem2",
      '-----END ENCRYPTED PRIVATE KEY-----"',
      '        set certificate "-----BEGIN CERTIFICATE-----',
      "MIICpublic",
      '-----END CERTIFICATE-----"',
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      "b3BlbnNzaPLANTpem3",
      "-----END OPENSSH PRIVATE KEY-----",
      "end",
      "",
    ].join("\n");
    const out = redact(text, "fortios", KEY);
    expect(out).not.toMatch(/PLANTpem|PRIVATE KEY/);
    expect(out).toMatch(/set private-key "<redacted:pem:hmac:[0-9a-f]{12}>"/);
    expect(out).toContain("MIICpublic");
    expect(detectSecrets(out)).toEqual([]);
  });

  it("redacts a PEM block that never ends, to the end of the text", () => {
    const out = redact("a\n-----BEGIN RSA PRIVATE KEY-----\nMIIEPLANTcut\n", "nginx", KEY);
    expect(out).not.toContain("PLANTcut");
    expect(out.startsWith("a\n<redacted:pem:hmac:")).toBe(true);
  });

  it("hashes the FortiOS SNMP community name, known only from its config block", () => {
    const text = [
      "config system snmp community",
      "    edit 1",
      '        set name "PLANTfortiComm"',
      "        config hosts",
      "            edit 1",
      "                set ip 192.0.2.10 255.255.255.255",
      "            next",
      "        end",
      "    next",
      "end",
      "config firewall address",
      '    edit "tsu"',
      '        set name "stays"',
      "end",
    ].join("\n");
    const out = redact(text, "fortios", KEY);
    expect(out).not.toContain("PLANTfortiComm");
    expect(out).toContain("set ip 192.0.2.10 255.255.255.255");
    expect(out).toContain('set name "stays"');
  });

  it("gives an unchanged secret the same hash and a changed one a different hash", () => {
    const a = redact('set system root-authentication encrypted-password "$6$s$one"\n', "junos", KEY);
    const same = redact('set system root-authentication encrypted-password "$6$s$one"\n', "junos", KEY);
    const changed = redact('set system root-authentication encrypted-password "$6$s$two"\n', "junos", KEY);
    expect(a).toBe(same);
    expect(changed).not.toBe(a);
    // without the local key the hash cannot be reproduced (no offline guessing of short secrets)
    expect(redact('set system root-authentication encrypted-password "$6$s$one"\n', "junos", OTHER_KEY)).not.toBe(a);
  });

  it("leaves configuration without secrets byte-identical, Japanese comments and CRLF included", () => {
    const text = [
      "# 津市 ファイアウォール設定\r",
      "table inet scconf {\r",
      "  chain forward { ip saddr 192.0.2.0/24 accept comment \"津市\" }\r",
      "}\r",
      "server_tokens off;",
      "community-id: true",
      "set policy-options prefix-list tsu 198.51.100.0/24",
      "smtpd_tls_security_level = may",
      "set system services ssh root-login deny-password",
      "zone \"tsu.mie.jp\" { type primary; file \"tsu.zone\"; };",
      "mie.example.jp smtp:[192.0.2.25]:25",
      "no newline at the end",
    ].join("\n");
    expect(redact(text, "postfix", KEY)).toBe(text);
  });

  it("is idempotent: a second pass does not hash the hashes", () => {
    const once = redact(CASES.map((c) => c.line).join("\n"), "postfix", KEY);
    expect(redact(once, "postfix", KEY)).toBe(once);
  });
});

describe("detectSecrets (the independent second line)", () => {
  it.each([
    ["a crypt hash under an unknown keyword", 'set system services web credential "$6$zz$PLANTunknown"'],
    ["a yescrypt hash", '  x-auth: "$y$j9T$PLANTyes$abc"'],
    ["a Junos $9$ secret under an unknown keyword", 'set foo bar "$9$PLANTnine"'],
    ["a FortiOS ENC token under an unknown keyword", "        set cert-blob ENC PLANTencAAAAAAAAAAAA=="],
    ["a PEM private key header", "-----BEGIN EC PRIVATE KEY-----"],
    ["credentials in a URL", "upstream=https://noc:PLANTurl@api.example.jp/"],
    ["a long opaque value after a secret keyword", "secret_value:QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"],
  ])("finds %s", (_name, line) => {
    const findings = detectSecrets(`ok\n${line}\n`);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]!.line).toBe(2);
    // a finding names the shape, never the value
    expect(JSON.stringify(findings)).not.toContain("PLANT");
  });

  it("finds nothing in rendered artifacts of the usual shapes", () => {
    const artifact = [
      "table inet scconf {",
      "  set tsu_nets { type ipv4_addr; flags interval; elements = { 192.0.2.0/24 } }",
      "}",
      "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
      "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd",
      "$TTL 3600",
      "@ IN SOA ns1.mie-sec-cloud.jp. hostmaster.mie-sec-cloud.jp. 2026112701 3600 900 604800 300",
    ].join("\n");
    expect(detectSecrets(artifact)).toEqual([]);
  });
});
