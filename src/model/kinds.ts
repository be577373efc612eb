// The seven change kinds of the specification, section 11 (7) カ.
export const CHANGE_KINDS = [
  "firewall",
  "urlFilter",
  "ipsExceptions",
  "reverseProxy",
  "dns",
  "mailRelay",
  "spamExclusions",
] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Japanese and English titles, used in reports, plans and procedures. */
export const CHANGE_KIND_TITLES: Record<ChangeKind, { ja: string; en: string }> = {
  firewall: { ja: "ファイアウォールへのアクセス制限設定", en: "Firewall access restrictions" },
  urlFilter: { ja: "URLフィルタのフィルタルール設定", en: "URL filter rules" },
  ipsExceptions: { ja: "IDS/IPSの検知・遮断設定", en: "IDS/IPS detection and blocking exceptions" },
  reverseProxy: { ja: "リバースプロキシの接続団体向けIP設定", en: "Reverse-proxy mappings" },
  dns: { ja: "DNSサーバのレコード登録", en: "DNS records" },
  mailRelay: { ja: "メールリレーサーバのリレー設定", en: "Mail-relay routes" },
  spamExclusions: { ja: "マルウェア/スパム対策の除外設定", en: "Malware/spam exclusions" },
};

export const TRANSPORTS = ["local", "ssh", "netconf", "ssh-cli"] as const;
export type TransportName = (typeof TRANSPORTS)[number];

export const PLATFORMS = [
  "nftables",
  "junos",
  "fortios",
  "ietf-acl",
  "squid",
  "suricata",
  "nginx",
  "haproxy",
  "bind",
  "unbound",
  "postfix",
  "spamassassin",
  "rspamd",
] as const;
export type PlatformName = (typeof PLATFORMS)[number];

/**
 * Which change kinds each platform can render. Validation reads this table
 * (a device may carry only kinds its platform renders); the render registry
 * is checked against it by a test, so the two cannot disagree.
 */
export const PLATFORM_KINDS: Record<PlatformName, readonly ChangeKind[]> = {
  nftables: ["firewall"],
  junos: ["firewall"],
  fortios: ["firewall", "urlFilter", "ipsExceptions"],
  "ietf-acl": ["firewall"],
  squid: ["urlFilter"],
  suricata: ["ipsExceptions"],
  nginx: ["reverseProxy"],
  haproxy: ["reverseProxy"],
  bind: ["dns"],
  unbound: ["dns"],
  postfix: ["mailRelay"],
  spamassassin: ["spamExclusions"],
  rspamd: ["spamExclusions"],
};
