#!/usr/bin/env node
// Writes the sample inventory (inventory/cloud.yaml, inventory/devices.yaml and
// inventory/orgs/<id>.yaml for the 33 connected organizations) from the tables
// below. Deterministic: no randomness, no clock; running it twice gives the same
// bytes. Run from anywhere: `node scripts/gen-sample-inventory.mjs`.
//
// Address plan (documentation and private ranges only, RFC 5737 / RFC 3849):
//   198.51.100.0/24   internet plan (256 global addresses, R12)
//     .0/27             the cloud's own servers (resolvers, NTP, relays, proxies, reverse proxy)
//     .32/28            三重県
//     .48 - .159        14 cities, one /29 each
//     .160 - .219       15 towns, one /30 each
//     .220 - .231       3 unions, one /30 each
//     .232 - .255       free (room for new organizations, R10)
//   203.0.113.0/25    breakout plan (128 addresses, R11/R12)
//   192.0.2.0/24      stand-ins for external services (SaaS, e-gov portal, vendors, C&C)
//   203.0.113.128/25  stand-ins for external partners and spam/C&C sources
//   10.<n>.0.0/16     organization n's private space (n = position in ORGS, 1-33)
//   10.200.0.0/13     stands for LGWAN
//   10.255.0.0/16     the cloud's management networks (NOC)
//   2001:db8:<n>::/48 organization n's IPv6 block (some organizations)
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const INV = join(ROOT, "inventory");
const CLOUD_DOMAIN = "mie-sec-cloud.jp";

// ───────────────────────── the 33 organizations ─────────────────────────
// [id, ja, en, kind, size, phone area code]
// size: L = prefecture / large city, M = city, S = small city, T = town, U = union
const ORGS = [
  ["mie-pref", "三重県", "Mie Prefecture", "prefecture", "P", "059"],
  ["tsu", "津市", "Tsu City", "city", "L", "059"],
  ["yokkaichi", "四日市市", "Yokkaichi City", "city", "L", "059"],
  ["ise", "伊勢市", "Ise City", "city", "M", "0596"],
  ["matsusaka", "松阪市", "Matsusaka City", "city", "M", "0598"],
  ["kuwana", "桑名市", "Kuwana City", "city", "M", "0594"],
  ["suzuka", "鈴鹿市", "Suzuka City", "city", "L", "059"],
  ["nabari", "名張市", "Nabari City", "city", "M", "0595"],
  ["owase", "尾鷲市", "Owase City", "city", "S", "0597"],
  ["kameyama", "亀山市", "Kameyama City", "city", "S", "0595"],
  ["toba", "鳥羽市", "Toba City", "city", "S", "0599"],
  ["kumano", "熊野市", "Kumano City", "city", "S", "0597"],
  ["inabe", "いなべ市", "Inabe City", "city", "S", "0594"],
  ["shima", "志摩市", "Shima City", "city", "M", "0599"],
  ["iga", "伊賀市", "Iga City", "city", "M", "0595"],
  ["kisosaki", "木曽岬町", "Kisosaki Town", "town", "T", "0567"],
  ["toin", "東員町", "Toin Town", "town", "T", "0594"],
  ["komono", "菰野町", "Komono Town", "town", "T", "059"],
  ["asahi", "朝日町", "Asahi Town", "town", "T", "059"],
  ["kawagoe", "川越町", "Kawagoe Town", "town", "T", "059"],
  ["taki", "多気町", "Taki Town", "town", "T", "0598"],
  ["meiwa", "明和町", "Meiwa Town", "town", "T", "0596"],
  ["odai", "大台町", "Odai Town", "town", "T", "0598"],
  ["tamaki", "玉城町", "Tamaki Town", "town", "T", "0596"],
  ["watarai", "度会町", "Watarai Town", "town", "T", "0596"],
  ["taiki", "大紀町", "Taiki Town", "town", "T", "0598"],
  ["minamiise", "南伊勢町", "Minamiise Town", "town", "T", "0599"],
  ["kihoku", "紀北町", "Kihoku Town", "town", "T", "0597"],
  ["mihama", "御浜町", "Mihama Town", "town", "T", "05979"],
  ["kiho", "紀宝町", "Kiho Town", "town", "T", "0735"],
  ["kihoku-kouiki", "紀北広域連合", "Kihoku Regional Union", "union", "U", "0597"],
  ["kinan-kaigo", "紀南介護保険広域連合", "Kinan Long-term Care Insurance Regional Union", "union", "U", "05979"],
  ["mie-kouki-iryou", "三重県後期高齢者医療広域連合", "Mie Medical Care Union for the Elderly", "union", "U", "059"],
];

// Organizations with an IPv6 /48 (2001:db8:<n>::/48).
const V6 = new Set(["mie-pref", "tsu", "yokkaichi", "ise", "matsusaka", "kuwana", "suzuka", "iga", "nabari", "komono"]);

// ───────────────────────── address arithmetic ─────────────────────────
const ip4 = (n) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
const BASE = (198 << 24) | (51 << 16) | (100 << 8); // 198.51.100.0
const v4 = (offset) => ip4((BASE + offset) >>> 0);

/** The global block of each organization in 198.51.100.0/24: [offset, length]. */
function globalBlocks() {
  const out = new Map();
  let next = 32; // .0/27 is the cloud's own
  for (const [id, , , , size] of ORGS) {
    const len = size === "P" ? 28 : size === "T" || size === "U" ? 30 : 29;
    const count = 2 ** (32 - len);
    if (next % count !== 0) throw new Error(`misaligned block for ${id}`);
    out.set(id, [next, len]);
    next += count;
  }
  if (next > 256) throw new Error(`global plan overflow: ${next}`);
  return out;
}
const BLOCKS = globalBlocks();

// ───────────────────────── YAML output ─────────────────────────
const FLOW_KEYS = new Set(["from", "to", "ports", "scope", "days", "kinds", "tags", "operations", "recordTypes", "addresses", "maintainers", "nameservers", "internet", "breakout", "resolvers", "management"]);
const QUOTE = /^(\d{4}-\d{2}-\d{2}|\d{2}:\d{2}|\d+-\d+|:.*)$/; // dates, times, port ranges and "::/0": quoted for YAML 1.1 readers

function toYaml(data, header) {
  const doc = new YAML.Document(data);
  YAML.visit(doc, {
    Pair(_, pair) {
      const key = YAML.isScalar(pair.key) ? pair.key.value : undefined;
      if (FLOW_KEYS.has(key) && YAML.isSeq(pair.value)) pair.value.flow = true;
    },
    Scalar(_, node) {
      if (typeof node.value === "string" && QUOTE.test(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  doc.commentBefore = header;
  // a blank line before each top-level section after the first few scalars, for readability
  doc.contents.items.forEach((pair, i) => {
    if (i > 0 && YAML.isCollection(pair.value) && !["name", "addressPlans"].includes(pair.key.value)) pair.key.spaceBefore = true;
  });
  return doc.toString({ lineWidth: 0, indentSeq: true, flowCollectionPadding: false });
}

function write(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, "utf8");
}

// ───────────────────────── cloud.yaml ─────────────────────────
function cloud() {
  const rule = (kind, operations, cls, extra = {}) => ({ kind, operations, class: cls, ...extra });
  return {
    name: "三重県自治体情報セキュリティクラウド",
    nameEn: "Mie Prefecture Municipal Information Security Cloud",
    domain: CLOUD_DOMAIN,
    timezone: "Asia/Tokyo",
    addressPlans: {
      internet: ["198.51.100.0/24"],
      breakout: ["203.0.113.0/25"],
    },
    infrastructure: {
      resolvers: ["198.51.100.2/32", "198.51.100.3/32"],
      management: ["10.255.0.0/16"],
    },
    defaults: {
      dnsTtl: 3600,
      logging: true,
      expiryWarningDays: 14,
      soa: {
        primary: `ns1.${CLOUD_DOMAIN}`,
        hostmaster: `hostmaster@${CLOUD_DOMAIN}`,
        refresh: 3600,
        retry: 900,
        expire: 1209600,
        minimum: 300,
      },
      nameservers: [`ns1.${CLOUD_DOMAIN}`, `ns2.${CLOUD_DOMAIN}`],
    },
    objects: {
      internet: { addresses: ["0.0.0.0/0", "::/0"], role: "outside", description: "インターネット全体" },
      "dns-resolvers": { addresses: ["198.51.100.2/32", "198.51.100.3/32"], role: "service", description: "クラウドのキャッシュDNSサーバ" },
      "dns-authoritative": { addresses: ["198.51.100.4/32", "198.51.100.5/32"], role: "service", description: "権威DNSサーバ ns1 ns2" },
      ntp: { addresses: ["198.51.100.6/31"], role: "service", description: "NTPサーバ" },
      "mail-relays": { addresses: ["198.51.100.8/30"], role: "service", description: "メールリレーサーバ mx1 mx2" },
      proxies: { addresses: ["198.51.100.16/29"], role: "service", description: "Webプロキシ 冗長構成" },
      "reverse-proxies": { addresses: ["198.51.100.24/29"], role: "service", description: "リバースプロキシ WAF CDN接続点" },
      noc: { addresses: ["10.255.10.0/24"], role: "internal", description: "NOC運用端末セグメント" },
      "log-collectors": { addresses: ["10.255.20.0/28"], role: "internal", description: "ログ収集サーバ" },
      lgwan: { addresses: ["10.200.0.0/13"], role: "outside", description: "総合行政ネットワーク LGWAN" },
      "egov-portal": { addresses: ["192.0.2.128/27"], role: "outside", description: "国の電子申請ポータル 模擬" },
    },
    breakout: [
      {
        name: "microsoft365",
        description: "Microsoft 365 ローカルブレイクアウト",
        domains: ["outlook.office365.com", "login.microsoftonline.com", "graph.microsoft.com", "sharepoint.com", "teams.microsoft.com"],
        prefixes: ["192.0.2.0/27", "2001:db8:f001::/48"],
      },
      {
        name: "google-workspace",
        description: "Google Workspace",
        domains: ["accounts.google.com", "mail.google.com", "drive.google.com", "docs.google.com", "meet.google.com"],
        prefixes: ["192.0.2.32/27", "2001:db8:f002::/48"],
      },
      {
        name: "slack",
        description: "Slack",
        domains: ["slack.com", "slack-edge.com", "slack-imgs.com"],
        prefixes: ["192.0.2.64/28"],
      },
      {
        name: "webex",
        description: "Webex Web会議",
        domains: ["webex.com", "wbx2.com"],
        prefixes: ["192.0.2.80/28"],
      },
      {
        name: "zoom",
        description: "Zoom Web会議",
        domains: ["zoom.us", "zoom.com"],
        prefixes: ["192.0.2.96/28"],
      },
    ],
    blocklist: [
      {
        target: "192.0.2.200/32",
        reason: "C2サーバ 重大度3 JPCERT/CC注意喚起に基づく即時遮断",
        added: "2026-10-14",
        by: "NOC 当番",
      },
      {
        target: "c2.example.net",
        reason: "ランサムウェアのC2ドメイン 重大度3",
        added: "2026-11-02",
        by: "NOC 当番",
      },
      {
        target: "203.0.113.250/32",
        reason: "県内団体への不正ログイン試行の送信元",
        added: "2026-11-20",
        by: "NOC 当番",
        expires: "2027-02-28",
      },
    ],
    changePolicy: {
      default: "needsApproval",
      rules: [
        rule("spamExclusions", ["add", "change"], "minor"),
        rule("dns", ["add", "change"], "minor", { when: { recordTypes: ["TXT"] } }),
        rule("urlFilter", ["add", "change"], "minor"),
        rule("mailRelay", ["add"], "minor"),
        rule("firewall", ["add"], "needsApproval", { when: { direction: "inbound" }, needsWindow: true }),
        rule("firewall", ["add", "change", "remove"], "needsApproval", { needsWindow: true }),
        rule("reverseProxy", ["add", "change", "remove"], "needsApproval", { needsWindow: true }),
        rule("ipsExceptions", ["add", "change", "remove"], "needsApproval"),
        rule("mailRelay", ["change", "remove"], "needsApproval"),
        rule("dns", ["remove"], "needsApproval"),
        rule("urlFilter", ["remove"], "needsApproval"),
        rule("spamExclusions", ["remove"], "needsApproval"),
      ],
      windows: [
        { name: "weeknight", days: ["mon", "tue", "wed", "thu", "fri"], from: "22:00", to: "06:00" },
        { name: "weekend", days: ["sat", "sun"], from: "00:00", to: "24:00" },
      ],
      closedDays: [
        "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03",
        "2027-01-11", "2027-02-11", "2027-02-23",
      ],
      thresholds: { maxRemoveOrChangeShare: 0.3, minEntries: 10 },
    },
    backups: { generations: 10, path: "backups" },
  };
}

// ───────────────────────── devices.yaml ─────────────────────────
function devices() {
  const d = (name, platform, kinds, description, tags) => ({
    name,
    description,
    platform,
    kinds,
    transport: "local",
    root: `state/devices/${name}`,
    tags,
  });
  return {
    devices: [
      d("fw-nft-1", "nftables", ["firewall"], "インターネット境界ファイアウォール 1号機 Linux nftables", ["gateway", "internet", "firewall"]),
      d("fw-srx-1", "junos", ["firewall"], "ブレイクアウト回線側ファイアウォール Juniper SRX", ["gateway", "breakout", "firewall"]),
      d("utm-fg-1", "fortios", ["firewall", "urlFilter", "ipsExceptions"], "UTM FortiGate 団体間通信とWebフィルタ", ["gateway", "utm"]),
      d("acl-nc-1", "ietf-acl", ["firewall"], "コアスイッチのACL NETCONF ietf-access-control-list 本番はnetconf", ["core", "acl"]),
      d("proxy-squid-1", "squid", ["urlFilter"], "Webプロキシ Squid XFF付与 URLフィルタ", ["proxy", "internet"]),
      d("ips-suricata-1", "suricata", ["ipsExceptions"], "IDS IPS Suricata インライン", ["ips", "internet"]),
      d("rp-nginx-1", "nginx", ["reverseProxy"], "リバースプロキシ nginx WAF前段 公式サイトと防災サイト", ["reverse-proxy", "cdn-origin"]),
      d("rp-haproxy-1", "haproxy", ["reverseProxy"], "リバースプロキシ HAProxy 待機系", ["reverse-proxy", "standby"]),
      d("dns-bind-ext-1", "bind", ["dns"], "外部DNS 権威サーバ BIND ns1", ["dns", "external"]),
      d("dns-unbound-int-1", "unbound", ["dns"], "内部DNS キャッシュサーバ Unbound 内部ビュー", ["dns", "internal"]),
      d("mail-postfix-1", "postfix", ["mailRelay"], "メールリレー Postfix mx1", ["mail", "relay"]),
      d("mail-sa-1", "spamassassin", ["spamExclusions"], "スパム対策 SpamAssassin", ["mail", "antispam"]),
      d("mail-rspamd-1", "rspamd", ["spamExclusions"], "スパム マルウェア対策 rspamd", ["mail", "antispam", "antimalware"]),
    ],
  };
}

const DEVICES_HEADER = ` yaml-language-server: $schema=../schema/devices.schema.json

 The devices the NOC manages. Owned by the NOC (not by any organization).

 Every device here uses transport "local": its root directory under state/devices/
 stands for the device's filesystem, so that validate / plan / apply / rollback
 run with no server at all (rehearsal and tests). A production device looks
 like this (an example only; secrets never go into the inventory):

   - name: fw-nft-prod-1
     description: インターネット境界ファイアウォール 本番1号機
     platform: nftables
     kinds: [firewall]
     transport: ssh
     address: 127.0.0.1            # placeholder; the device's management address in 10.255.0.0/16
     port: 22
     user: scconf
     auth:
       method: key
       keyFile: ~/.ssh/scconf_ed25519
     hostKey: SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8   # pinned; ssh-keygen -lf on the device
     checkCommand: nft -c -f /etc/nftables.d/scconf.nft
     reloadCommand: systemctl reload nftables
     confirmTimeout: 120
     tags: [gateway, internet]

 and a NETCONF device (e.g. acl-nc-1 in production):

   - name: acl-nc-prod-1
     platform: ietf-acl
     kinds: [firewall]
     transport: netconf
     address: 127.0.0.1
     port: 830
     user: scconf
     auth: { method: agent }
     hostKey: SHA256:...`;

// ───────────────────────── organizations ─────────────────────────

const SIZE = {
  P: { lan: 17, bw: [2000, 2000] },
  L: { lan: 18, bw: [1000, 1000] },
  M: { lan: 18, bw: [500, 500] },
  S: { lan: 19, bw: [300, 300] },
  T: { lan: 20, bw: [100, 100] },
  U: { lan: 22, bw: [50, 50] },
};

// Bandwidth overrides (Mbps, [ingress, egress]).
const BW = { komono: [200, 200], meiwa: [150, 100], "mie-kouki-iryou": [100, 100], kihoku: [150, 150], suzuka: [800, 800] };

const SECTION = {
  prefecture: "デジタル推進局 デジタル改革推進課",
  city: "総務部 情報政策課",
  town: "総務課 情報係",
  union: "事務局 総務課",
};

function addrDefs(id, n, size) {
  const [off, len] = BLOCKS.get(id);
  const networks = [
    { name: "lan", cidr: `10.${n}.0.0/${SIZE[size].lan}`, description: "庁内LAN 職員端末" },
    { name: "server", cidr: `10.${n}.128.0/24`, description: "庁内サーバセグメント" },
  ];
  if (size === "P" || size === "L" || size === "M" || size === "S") {
    networks.push({ name: "dmz", cidr: `10.${n}.129.0/24`, description: "DMZ 公開サーバ" });
  }
  if (id === "mie-pref") networks.push({ name: "egov-servers", cidr: "10.1.130.0/24", description: "電子申請 電子入札サーバ群 全団体に公開" });
  if (id === "kihoku-kouiki") networks.push({ name: "kouiki-apps", cidr: `10.${n}.130.0/26`, description: "消防指令 ごみ処理施設の共同利用システム" });
  if (id === "kinan-kaigo") networks.push({ name: "kaigo-system", cidr: `10.${n}.130.0/26`, description: "介護保険 共同システム" });
  if (id === "mie-kouki-iryou") networks.push({ name: "kouki-system", cidr: `10.${n}.130.0/26`, description: "後期高齢者医療 標準システム" });
  if (V6.has(id)) {
    const h = n.toString(16);
    networks.push({ name: "lan-v6", cidr: `2001:db8:${h}::/56`, description: "庁内LAN IPv6 2001:db8:" + h + "::/48 のうち" });
    networks.push({ name: "server-v6", cidr: `2001:db8:${h}:100::/64`, description: "公開サーバ IPv6" });
  }
  const g = [
    { name: "web", address: `${v4(off)}/32`, description: "公式サイト リバースプロキシ公開アドレス" },
    { name: "bousai", address: `${v4(off + 1)}/32`, description: "防災情報サイト 公開アドレス" },
  ];
  if (len === 28) {
    g.push({ name: "egov-web", address: `${v4(off + 2)}/32`, description: "電子申請サービス 公開アドレス" });
    g.push({ name: "vpn", address: `${v4(off + 3)}/32`, description: "リモート保守VPN終端" });
    g.push({ name: "nat", address: `${v4(off + 8)}/29`, description: "送信元NATプール" });
  } else if (len === 29) {
    g.push({ name: "vpn", address: `${v4(off + 2)}/32`, description: "リモート保守VPN終端" });
    g.push({ name: "nat", address: `${v4(off + 4)}/30`, description: "送信元NATプール" });
  } else {
    g.push({ name: "nat", address: `${v4(off + 2)}/31`, description: "送信元NATプール" });
  }
  return { networks, globalAddresses: g, block: `${v4(off)}/${len}` };
}

// Firewall building blocks; each org takes a subset, in this order, so that no
// rule is covered by an earlier one (distinct from/to/protocol/port sets).
const FW = {
  webIn: () => ({ name: "web-inbound", from: ["internet"], to: ["web", "bousai"], protocol: "tcp", ports: [80, 443], action: "accept", log: true, comment: "公式サイトと防災サイトへの公開アクセス" }),
  egovIn: () => ({ name: "egov-inbound", from: ["internet"], to: ["egov-web"], protocol: "tcp", ports: [443], action: "accept", log: true, comment: "電子申請サービスの公開" }),
  webInV6: () => ({ name: "web-inbound-v6", from: ["internet"], to: ["server-v6"], protocol: "tcp", ports: [443], action: "accept", comment: "公開サーバ IPv6 HTTPS" }),
  proxy: () => ({ name: "lan-to-proxy", from: ["lan"], to: ["proxies"], protocol: "tcp", ports: [8080], action: "accept", comment: "職員端末のWeb閲覧はプロキシ経由のみ" }),
  mail: () => ({ name: "mail-to-relay", from: ["server"], to: ["mail-relays"], protocol: "tcp", ports: [25], action: "accept", comment: "庁内メールサーバからリレーへの送信" }),
  mailSub: () => ({ name: "mail-submission", from: ["lan"], to: ["mail-relays"], protocol: "tcp", ports: [587], action: "accept", comment: "複合機 スキャナからのメール送信" }),
  dnsUdp: () => ({ name: "dns-udp", from: ["lan", "server"], to: ["dns-resolvers"], protocol: "udp", ports: [53], action: "accept" }),
  dnsTcp: () => ({ name: "dns-tcp", from: ["lan", "server"], to: ["dns-resolvers"], protocol: "tcp", ports: [53], action: "accept" }),
  ntp: () => ({ name: "ntp", from: ["server"], to: ["ntp"], protocol: "udp", ports: [123], action: "accept" }),
  ssh: () => ({ name: "noc-ssh", from: ["noc"], to: ["server"], protocol: "tcp", ports: [22], action: "accept", log: true, comment: "NOCからの保守用SSH" }),
  egov: () => ({ name: "egov-servers", from: ["lan"], to: ["mie-pref:egov-servers"], protocol: "tcp", ports: [443], action: "accept", comment: "県の電子申請 電子入札システム利用" }),
  lgwanAsp: () => ({ name: "lgwan-asp", from: ["server"], to: ["lgwan"], protocol: "tcp", ports: [443, "8000-8080"], action: "accept", comment: "LGWAN-ASPサービス連携" }),
  portal: () => ({ name: "egov-portal", from: ["server"], to: ["egov-portal"], protocol: "tcp", ports: [443], action: "accept", comment: "国の電子申請ポータルとの連携" }),
  // log-collectors is internal (role: internal): organizations do not reach it (issue 17)
  syslog: () => ({ name: "syslog", from: ["server"], to: ["log-collectors"], protocol: "udp", ports: [514], action: "accept", comment: "ログ収集サーバへの転送" }),
  deny: () => ({ name: "deny-internet-to-internal", from: ["internet"], to: ["lan", "server"], protocol: "any", action: "drop", log: true, comment: "インターネットから内部への通信は遮断し記録" }),
};

function firewall(id, size) {
  const f = FW;
  let rules;
  switch (id) {
    case "mie-pref":
      rules = [f.webIn(), f.egovIn(), f.webInV6(), f.proxy(), f.mail(), f.dnsUdp(), f.lgwanAsp(), f.deny()];
      break;
    case "tsu":
      rules = [f.webIn(), f.webInV6(), f.proxy(), f.mail(), f.dnsUdp(), f.dnsTcp(), f.egov(), f.ssh()];
      break;
    case "yokkaichi":
      rules = [
        f.webIn(), f.proxy(), f.mail(), f.dnsUdp(), f.egov(), f.ssh(),
        { name: "vendor-maintenance", from: ["192.0.2.160/28"], to: ["server"], protocol: "tcp", ports: [22, 3389], action: "accept", log: true, comment: "基幹系システム更新作業 保守業者からの一時接続", expires: "2027-03-31" },
        f.deny(),
      ];
      break;
    case "suzuka":
      rules = [
        f.webIn(),
        { name: "event-streaming", from: ["internet"], to: ["web"], protocol: "tcp", ports: ["8443-8444"], action: "accept", log: true, comment: "モータースポーツイベント期間中の配信用 期間限定", expires: "2027-04-30" },
        f.proxy(), f.mail(), f.dnsUdp(), f.egov(), f.ntp(),
      ];
      break;
    case "ise":
      rules = [f.webIn(), f.proxy(), f.mail(), f.dnsUdp(), f.egov(), f.portal(), f.deny()];
      break;
    case "matsusaka":
      rules = [f.webIn(), f.proxy(), f.mail(), f.dnsUdp(), f.ssh()];
      break;
    case "kuwana":
      rules = [f.webIn(), f.proxy(), f.mail(), f.mailSub(), f.dnsUdp(), f.egov()];
      break;
    case "iga":
      rules = [f.webIn(), f.proxy(), f.mail(), f.dnsUdp(), f.egov(), f.lgwanAsp()];
      break;
    case "kumano":
    case "mihama":
    case "kiho":
      rules = [
        f.webIn(), f.proxy(), f.mail(),
        { name: "kaigo-system", from: ["lan"], to: ["kinan-kaigo:kaigo-system"], protocol: "tcp", ports: [443], action: "accept", comment: "紀南介護保険広域連合の共同システム" },
      ];
      if (id === "kumano") rules.push(f.egov());
      break;
    case "owase":
    case "kihoku":
      rules = [
        f.webIn(), f.proxy(), f.mail(),
        { name: "kouiki-apps", from: ["lan"], to: ["kihoku-kouiki:kouiki-apps"], protocol: "tcp", ports: [443, "8000-8080"], action: "accept", comment: "紀北広域連合の共同利用システム" },
      ];
      if (id === "owase") rules.push(f.dnsUdp());
      break;
    default:
      if (size === "M" || size === "S") rules = [f.webIn(), f.proxy(), f.mail(), f.dnsUdp(), f.egov()];
      else if (size === "T") rules = [f.webIn(), f.proxy(), f.mail()];
      else rules = [f.webIn(), f.proxy(), f.mail(), f.dnsUdp()];
  }
  // a little variety among the small ones, still shadow-free
  if (["nabari", "shima", "toba"].includes(id)) rules.push(f.ssh());
  if (["komono", "meiwa", "tamaki", "taki"].includes(id)) rules.push(f.egov());
  if (id === "mie-kouki-iryou") rules.push(f.portal());
  return rules;
}

const URL_FILTERS = {
  "mie-pref": {
    block: { domains: ["freefiles.example.net", "casino.example.com"], urls: ["http://share.example.org/upload/*"], categories: ["malware", "phishing", "gambling", "p2p", "proxy-avoidance"] },
    allow: { domains: ["www.e-gov.go.jp", "www.digital.go.jp"], urls: [], categories: [] },
    comment: "県共通ポリシー",
  },
  tsu: {
    block: { domains: ["casino.example.com", "torrent.example.net"], urls: [], categories: ["malware", "phishing", "gambling", "adult"] },
    allow: { domains: ["www.jma.go.jp"], urls: [], categories: [] },
    comment: "気象情報は常に許可",
  },
  yokkaichi: {
    block: { domains: ["webmail.example.com", "storage.example.net"], urls: ["https://paste.example.org/*"], categories: ["malware", "phishing", "online-storage", "webmail"] },
    allow: { domains: ["www.jma.go.jp", "www.mlit.go.jp"], urls: ["https://storage.example.net/yokkaichi-shared/*"], categories: [] },
    comment: "オンラインストレージは原則禁止 共有フォルダのみ許可",
  },
  ise: {
    block: { domains: ["casino.example.com"], urls: [], categories: ["malware", "phishing", "gambling"] },
    allow: { domains: ["kanko-ise.example.jp"], urls: [], categories: [] },
  },
  kuwana: {
    block: { domains: [], urls: [], categories: ["malware", "phishing", "adult", "p2p"] },
    allow: { domains: [], urls: [], categories: [] },
  },
  suzuka: {
    block: { domains: ["streaming.example.net"], urls: [], categories: ["malware", "phishing", "streaming-video"] },
    allow: { domains: ["www.jma.go.jp"], urls: [], categories: [] },
    comment: "動画配信は業務時間中ブロック",
  },
  iga: {
    block: { domains: ["ninja-game.example.com"], urls: [], categories: ["malware", "phishing", "games"] },
    allow: { domains: [], urls: [], categories: [] },
  },
  komono: {
    block: { domains: [], urls: ["http://downloads.example.net/crack/*"], categories: ["malware", "phishing"] },
    allow: { domains: ["mie-pref.lg.example.jp"], urls: [], categories: [] },
  },
  meiwa: {
    block: { domains: ["sns-chat.example.com"], urls: [], categories: ["malware", "phishing", "social-networking"] },
    allow: { domains: [], urls: [], categories: [] },
  },
  "mie-kouki-iryou": {
    block: { domains: ["storage.example.net"], urls: [], categories: ["malware", "phishing", "online-storage", "webmail", "social-networking"] },
    allow: { domains: ["www.mhlw.go.jp"], urls: [], categories: [] },
    comment: "個人情報を扱うため厳格なポリシー",
  },
};

const IPS = {
  "mie-pref": [
    { name: "curl-ua-egov", signature: 2013028, scope: ["egov-servers"], direction: "source", reason: "電子申請サーバの死活監視がcurlを使うため誤検知", expires: "2027-03-31" },
    { name: "java-update-check", signature: 2019401, scope: ["server"], direction: "source", reason: "業務システムの旧Java更新確認 システム更新まで", expires: "2027-06-30" },
  ],
  tsu: [{ name: "scanner-vnc", signature: 2002910, scope: ["server"], direction: "destination", reason: "保守業者のリモート保守ツールによる誤検知", expires: "2027-03-31" }],
  yokkaichi: [
    { name: "to-tld-query", signature: 2027757, scope: ["lan"], direction: "source", reason: "姉妹都市関連サイト .to ドメインの正規利用", expires: "2027-09-30" },
    { name: "stream-timestamp", signature: 2210044, scope: ["dmz"], direction: "both", reason: "ロードバランサ経由の通信で誤検知が多発", expires: "2027-02-28" },
  ],
  matsusaka: [{ name: "mssql-inbound", signature: 2010935, scope: ["server"], direction: "destination", reason: "庁内DBサーバ間連携による誤検知", expires: "2027-05-31" }],
  iga: [{ name: "http-unmatched-response", signature: 2221010, scope: ["lan"], direction: "both", reason: "観光案内端末の古いブラウザによる誤検知", expires: "2027-03-31" }],
  toba: [{ name: "outdated-flash", signature: 2014726, scope: ["lan"], direction: "source", reason: "水族館案内端末 更新予定まで一時除外", expires: "2027-01-31" }],
};

const SPAM = {
  "mie-pref": [
    { name: "bousai-mail", sender: "alert@bousai.example.jp", bypass: "spam", reason: "防災情報メール 大量同報のため誤判定" },
    { name: "jpcert-advisory", sender: "example.or.jp", bypass: "spam", reason: "セキュリティ情報配信元" },
  ],
  tsu: [{ name: "newsletter-partner", sender: "news.example.co.jp", bypass: "spam", reason: "協定先事業者のメールマガジン", expires: "2027-03-31" }],
  yokkaichi: [
    { name: "port-authority", sender: "203.0.113.160/29", bypass: "spam", reason: "港湾管理組合の送信サーバ 逆引き未設定" },
    { name: "cad-drawings", sender: "sekkei@consultant.example.co.jp", bypass: "malware", reason: "設計図面のマクロ付きファイル 受領期間中のみ", expires: "2027-02-26" },
  ],
  suzuka: [{ name: "circuit-events", sender: "events.example.com", bypass: "spam", reason: "イベント運営事業者からの連絡" }],
  kameyama: [{ name: "mfp-scanner", sender: "203.0.113.170/32", bypass: "both", reason: "出先機関の複合機からのスキャン送信", expires: "2027-06-30" }],
  shima: [{ name: "tourism-assoc", sender: "info@kanko.example.jp", bypass: "spam", reason: "観光協会からの連絡メール" }],
  tamaki: [{ name: "pref-bulk", sender: "haishin@bulk-mail.example.jp", bypass: "spam", reason: "県の一斉配信 委託配信業者" }],
  "kinan-kaigo": [{ name: "kaigo-vendor", sender: "support@kaigo-vendor.example.co.jp", bypass: "both", reason: "介護保険システム保守業者 添付ファイルの誤検知", expires: "2027-03-31" }],
};

// Extra reverse-proxy sites (R13: about 10 beyond the 2 per organization).
const EXTRA_SITES = {
  "mie-pref": [
    { name: "shinsei", host: "shinsei", org: "egov-servers", ip: 10, comment: "電子申請サービス" },
    { name: "opendata", host: "opendata", org: "dmz", ip: 20, comment: "オープンデータカタログ", waf: "detect" },
  ],
  tsu: [{ name: "kosodate", host: "kosodate", org: "dmz", ip: 30, comment: "子育て応援サイト" }],
  yokkaichi: [
    { name: "kanko", host: "kanko", org: "dmz", ip: 40, comment: "観光情報サイト" },
    { name: "gikai", host: "gikai", org: "dmz", ip: 41, comment: "議会中継", cdn: false },
  ],
  ise: [{ name: "kanko", host: "kanko", org: "dmz", ip: 40, comment: "伊勢観光サイト" }],
  matsusaka: [{ name: "toshokan", host: "library", org: "server", ip: 50, comment: "図書館蔵書検索", cdn: false }],
  suzuka: [{ name: "gikai", host: "gikai", org: "dmz", ip: 41, comment: "議会中継", cdn: false, waf: "detect" }],
  toba: [{ name: "kanko", host: "kanko", org: "dmz", ip: 40, comment: "観光情報サイト" }],
  shima: [{ name: "kanko", host: "kanko", org: "dmz", ip: 40, comment: "観光情報サイト" }],
};

/** Leaves out empty lists (the schema defaults them) so the files stay short. */
function compactFilter(f) {
  const list = (l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v.length > 0));
  const out = { block: list(f.block) };
  const allow = list(f.allow);
  if (Object.keys(allow).length > 0) out.allow = allow;
  if (f.comment) out.comment = f.comment;
  return out;
}

const CITY_SRV = new Set(["mie-pref", "tsu", "yokkaichi", "suzuka", "matsusaka"]);

function orgFile([id, ja, en, kind, size, area], index) {
  const n = index + 1;
  const domain = `${id}.lg.example.jp`;
  const { networks, globalAddresses, block } = addrDefs(id, n, size);
  const web = globalAddresses.find((g) => g.name === "web").address.replace("/32", "");
  const bousai = globalAddresses.find((g) => g.name === "bousai").address.replace("/32", "");
  const srv = (host) => `10.${n}.128.${host}`;
  const dmz = (host) => `10.${n}.129.${host}`;
  const hasDmz = networks.some((x) => x.name === "dmz");
  const h6 = n.toString(16);

  // 10 digits: area code, a local exchange of zeros (fictitious), 4 digits
  const phone = (k) => `${area}-${"0".repeat(6 - area.length)}-${String(1000 + n * 10 + k)}`;
  const contacts = [
    { name: `${SECTION[kind]} 担当`, role: "情報システム担当", email: `johosys@${domain}`, phone: phone(1) },
  ];
  if (size === "P" || size === "L" || size === "M") {
    contacts.push({ name: `${SECTION[kind]} セキュリティ責任者`, role: "CISO補佐", email: `security@${domain}`, phone: phone(2) });
  }

  const exports = [];
  if (id === "mie-pref") exports.push({ name: "egov-servers", to: ["*"] });
  if (id === "kihoku-kouiki") exports.push({ name: "kouiki-apps", to: ["owase", "kihoku"] });
  if (id === "kinan-kaigo") exports.push({ name: "kaigo-system", to: ["kumano", "mihama", "kiho"] });

  const [ingressMbps, egressMbps] = BW[id] ?? SIZE[size].bw;

  // reverse proxy: official + disaster for everyone, extras for some
  const webOrigin = hasDmz ? dmz(10) : srv(10);
  const bousaiOrigin = hasDmz ? dmz(11) : srv(11);
  const reverseProxy = [
    {
      name: "www",
      hostname: `www.${domain}`,
      site: "official",
      tls: { certificate: `/etc/scconf/tls/www.${domain}.crt`, key: `/etc/scconf/tls/www.${domain}.key` },
      origin: { address: webOrigin, port: 443, tls: true },
      xff: "append",
      waf: "block",
      cdn: true,
      comment: `${ja} 公式ウェブサイト`,
    },
    {
      name: "bousai",
      hostname: `bousai.${domain}`,
      site: "disaster",
      tls: { certificate: `/etc/scconf/tls/bousai.${domain}.crt`, key: `/etc/scconf/tls/bousai.${domain}.key` },
      origin: { address: bousaiOrigin, port: size === "T" || size === "U" ? 80 : 443, tls: !(size === "T" || size === "U") },
      xff: "append",
      waf: "block",
      cdn: true,
      comment: `${ja} 防災情報サイト 災害時はCDNキャッシュを優先`,
    },
  ];
  for (const x of EXTRA_SITES[id] ?? []) {
    const base = x.org === "dmz" ? `10.${n}.129` : x.org === "server" ? `10.${n}.128` : "10.1.130";
    reverseProxy.push({
      name: x.name,
      hostname: `${x.host}.${domain}`,
      site: "other",
      origin: { address: `${base}.${x.ip}`, port: 443, tls: true },
      xff: "append",
      waf: x.waf ?? "block",
      cdn: x.cdn ?? true,
      comment: x.comment,
    });
  }

  // DNS
  const records = [
    { name: "@", type: "A", value: web },
  ];
  if (V6.has(id)) records.push({ name: "@", type: "AAAA", value: `2001:db8:${h6}:100::80` });
  records.push(
    { name: "@", type: "MX", value: `10 mx1.${CLOUD_DOMAIN}.` },
    { name: "@", type: "MX", value: `20 mx2.${CLOUD_DOMAIN}.` },
    { name: "@", type: "TXT", value: `v=spf1 ip4:198.51.100.8/30 -all` },
    { name: "@", type: "CAA", value: `0 issue "letsencrypt.org"` },
  );
  records.push(size === "T" || size === "U" ? { name: "www", type: "A", value: web } : { name: "www", type: "CNAME", value: `${domain}.` });
  records.push({ name: "bousai", type: "A", value: bousai, ttl: 300 });
  if (size !== "U") records.push({ name: "_dmarc", type: "TXT", value: `v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}` });
  for (const x of EXTRA_SITES[id] ?? []) records.push({ name: x.host, type: "CNAME", value: `www.${domain}.` });
  if (CITY_SRV.has(id)) {
    records.push({ name: "_autodiscover._tcp", type: "SRV", value: `0 0 443 mail.${domain}.`, view: "internal" });
    records.push({ name: "@", type: "CAA", value: `0 iodef "mailto:security@${domain}"` });
  }
  if (id === "tsu" || id === "mie-pref") {
    records.push({ name: "_sip._tls", type: "SRV", value: "10 60 5061 sip.voip-provider.example.net." });
  }
  if (id === "mie-pref") {
    records.push({ name: "egov", type: "A", value: globalAddresses.find((g) => g.name === "egov-web").address.replace("/32", "") });
    records.push({ name: "@", type: "TXT", value: "google-site-verification=mie-pref-sample-0001" });
  }
  // internal view: names only staff see
  records.push({ name: "mail", type: "A", value: srv(25), view: "internal" });
  records.push({ name: "intra", type: "A", value: srv(30), view: "internal" });
  if (size === "P" || size === "L") records.push({ name: "groupware", type: "A", value: srv(31), view: "internal", ttl: 600 });
  if (V6.has(id)) records.push({ name: "intra", type: "AAAA", value: `2001:db8:${h6}:100::30`, view: "internal" });

  const mailRelay = [{ domain, nextHop: srv(25), port: 25, mx: false, comment: `${ja} 庁内メールサーバ` }];
  if (id === "mie-pref") mailRelay.push({ domain: `bousai.${domain}`, nextHop: srv(26), port: 25, mx: false, comment: "防災メール配信サーバ" });

  const org = {
    id,
    name: { ja, en },
    kind,
    maintainers: [`@mie-sec-cloud/${id}`, "@mie-sec-cloud/noc"],
    contacts,
    networks,
    globalAddresses,
    domains: [domain],
    exports,
    bandwidth: { ingressMbps, egressMbps },
    firewall: firewall(id, size),
  };
  if (URL_FILTERS[id]) org.urlFilter = compactFilter(URL_FILTERS[id]);
  if (IPS[id]) org.ipsExceptions = IPS[id];
  org.reverseProxy = reverseProxy;
  org.dns = [{ zone: domain, records }];
  org.mailRelay = mailRelay;
  if (SPAM[id]) org.spamExclusions = SPAM[id];
  if (exports.length === 0) delete org.exports;

  const header = [
    ` yaml-language-server: $schema=../../schema/org.schema.json`,
    ``,
    ` ${ja} (${en}) の設定`,
    ` This file is owned by ${ja} / ${en} (maintainers: @mie-sec-cloud/${id}).`,
    ` Changes come as pull requests from the organization; the NOC reviews and applies them.`,
    ` Global addresses: ${block} of the internet plan 198.51.100.0/24; private space: 10.${n}.0.0/16.`,
  ].join("\n");
  return { id, header, org, block, networks, globalAddresses };
}

// ───────────────────────── main ─────────────────────────
function main() {
  mkdirSync(join(INV, "orgs"), { recursive: true });
  for (const f of readdirSync(join(INV, "orgs"))) if (f.endsWith(".yaml")) rmSync(join(INV, "orgs", f));

  write(
    join(INV, "cloud.yaml"),
    toYaml(cloud(), [
      " yaml-language-server: $schema=../schema/cloud.schema.json",
      "",
      " 三重県自治体情報セキュリティクラウド 全体設定. Owned by the NOC; changes need the prefecture's approval.",
      " Generated first by scripts/gen-sample-inventory.mjs (sample data: documentation and private addresses only).",
    ].join("\n")),
  );
  write(join(INV, "devices.yaml"), toYaml(devices(), DEVICES_HEADER));

  const summary = [];
  ORGS.forEach((o, i) => {
    const r = orgFile(o, i);
    write(join(INV, "orgs", `${r.id}.yaml`), toYaml(r.org, r.header));
    summary.push(`${r.id.padEnd(16)} ${r.block.padEnd(18)} ${r.networks.map((x) => x.cidr).join(" ")}`);
  });
  if (process.argv.includes("--plan")) console.log(summary.join("\n"));
  console.log(`wrote inventory/cloud.yaml, inventory/devices.yaml and ${ORGS.length} files in inventory/orgs/`);
}

main();
