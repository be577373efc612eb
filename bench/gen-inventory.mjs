#!/usr/bin/env node
// Synthetic inventories for the benchmarks (`npm run bench`). Independent of
// scconf's code: it writes plain YAML that the validator must accept with
// zero errors, so a benchmark never measures the error path.
//
//   node bench/gen-inventory.mjs --out DIR [--mode mixed|policy] [--orgs N] [--rules M]
//                                [--seed S] [--aerleon] [--ssh-devices JSON]
//
// mode "mixed" (default): N organizations, each with 3 networks, 2 global
//   addresses, a domain, M firewall rules, a DNS zone, reverse-proxy mappings,
//   a mail route and a bandwidth cap; devices: one per firewall platform plus
//   bind, nginx and postfix, all on transport local.
// mode "policy": the org-to-org policy of the Aerleon comparison: 33
//   organizations, 103 prefixes (networks, each exported to every other
//   organization), 13 services, M rules in total (not per organization);
//   devices: one per firewall platform. --touch K (mixed mode): every K-th
//   organization gets one more firewall rule and one more DNS record: a
//   small change against the same inventory without it, for the plan figure.
//   --aerleon also writes the same
//   policy as Aerleon input: DIR/aerleon/{policies/pol/bench.pol,
//   policies/yaml/bench.yaml (the YAML form of the same), def/NETWORK.net,
//   def/SERVICES.svc, def/definitions.yaml}.
//
// Every rule has its own (source network, destination, service) triple, so no
// rule covers another: the shadowed-rule analysis runs in full and finds
// nothing (the validator refuses a shadowed rule with a different action).
// Deterministic: the same arguments and seed give byte-identical files.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

// ───────────────────────── arguments ─────────────────────────

function parseArgs(argv) {
  const o = { mode: "mixed", orgs: 33, rules: 10, seed: 1, out: undefined, aerleon: false, sshDevices: undefined, touch: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--out") o.out = next();
    else if (a === "--mode") o.mode = next();
    else if (a === "--orgs") o.orgs = Number(next());
    else if (a === "--rules") o.rules = Number(next());
    else if (a === "--seed") o.seed = Number(next());
    else if (a === "--aerleon") o.aerleon = true;
    else if (a === "--touch") o.touch = Number(next());
    else if (a === "--ssh-devices") o.sshDevices = JSON.parse(next());
    else if (a === "--help" || a === "-h") {
      process.stdout.write(readmeText());
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!o.out) throw new Error("--out DIR is required");
  if (!["mixed", "policy"].includes(o.mode)) throw new Error("--mode is mixed or policy");
  for (const k of ["orgs", "rules", "seed"]) if (!Number.isInteger(o[k]) || o[k] < 0) throw new Error(`--${k} must be a whole number`);
  return o;
}

function readmeText() {
  return "usage: node bench/gen-inventory.mjs --out DIR [--mode mixed|policy] [--orgs N] [--rules M] [--seed S] [--touch K] [--aerleon] [--ssh-devices JSON]\n";
}

// ───────────────────────── helpers ─────────────────────────

/** mulberry32: a small deterministic PRNG */
function rng(seed) {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ip = (n) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
const base = (a, b, c, d) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
const pad = (n, w) => String(n).padStart(w, "0");

/** 13 services with disjoint ports, so that no service contains another */
const SERVICES = [
  { name: "HTTP", protocol: "tcp", ports: [80] },
  { name: "HTTPS", protocol: "tcp", ports: [443] },
  { name: "SSH", protocol: "tcp", ports: [22] },
  { name: "SMTP", protocol: "tcp", ports: [25, 587] },
  { name: "DNS", protocol: "udp", ports: [53] },
  { name: "NTP", protocol: "udp", ports: [123] },
  { name: "LDAP", protocol: "tcp", ports: [389, 636] },
  { name: "SMB", protocol: "tcp", ports: [445] },
  { name: "RDP", protocol: "tcp", ports: [3389] },
  { name: "SYSLOG", protocol: "udp", ports: [514] },
  { name: "PROXY", protocol: "tcp", ports: [8080] },
  { name: "SNMP", protocol: "udp", ports: ["161-162"] },
  { name: "DB", protocol: "tcp", ports: [5432, "1521-1522"] },
];

/** a narrower, earlier rule that shares ports and destinations with later ones without covering them */
const SMTP_ONLY = { name: "SMTP25", protocol: "tcp", ports: [25] };

const FIREWALL_PLATFORMS = ["nftables", "junos", "fortios", "ietf-acl"];
const FW_DEVICE = { nftables: "fw-nft-1", junos: "fw-srx-1", fortios: "utm-fg-1", "ietf-acl": "acl-nc-1" };

function cloudFile() {
  return {
    name: "ベンチマーク用 合成クラウド",
    nameEn: "Synthetic benchmark cloud",
    domain: "bench-cloud.example.jp",
    timezone: "Asia/Tokyo",
    // a wide plan so that thousands of organizations get global addresses
    addressPlans: { internet: ["100.64.0.0/11"], breakout: ["100.96.0.0/16"] },
    infrastructure: { resolvers: ["100.97.0.2/32", "100.97.0.3/32"], management: ["10.255.0.0/16"] },
    defaults: {
      dnsTtl: 3600,
      logging: true,
      expiryWarningDays: 14,
      soa: { primary: "ns1.bench-cloud.example.jp", hostmaster: "hostmaster@bench-cloud.example.jp" },
      nameservers: ["ns1.bench-cloud.example.jp", "ns2.bench-cloud.example.jp"],
    },
    objects: {
      internet: { addresses: ["0.0.0.0/0"], role: "outside", description: "インターネット全体" },
      "dns-resolvers": { addresses: ["100.97.0.2/32", "100.97.0.3/32"], role: "service" },
      "mail-relays": { addresses: ["100.97.0.8/30"], role: "service" },
      proxies: { addresses: ["100.97.0.16/29"], role: "service" },
      noc: { addresses: ["10.255.10.0/24"], role: "internal" },
    },
    breakout: [{ name: "saas", domains: ["saas.example.com"], prefixes: ["198.18.0.0/24"] }],
    backups: { generations: 10, path: "backups" },
  };
}

function localDevice(name, platform, kinds) {
  return { name, platform, kinds, transport: "local", root: `state/devices/${name}` };
}

function firewallDevices() {
  return FIREWALL_PLATFORMS.map((p) => localDevice(FW_DEVICE[p], p, p === "fortios" ? ["firewall"] : ["firewall"]));
}

function header(what) {
  return `# Synthetic benchmark inventory (${what}); generated by bench/gen-inventory.mjs, do not edit.\n`;
}

function write(path, text) {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

// no anchors and aliases for repeated objects: a hand-written inventory has none
const yamlOut = (doc) => stringify(doc, { lineWidth: 0, flowCollectionPadding: false, aliasDuplicateObjects: false });

// ───────────────────────── mode "mixed" ─────────────────────────

/** Organization i's address block: a /20 of 10.0.0.0/9 and a /29 of the internet plan. */
function orgAddresses(i) {
  const block = base(10, 0, 0, 0) + i * 4096;
  const global = base(100, 64, 0, 0) + i * 8;
  return {
    lan: `${ip(block)}/21`,
    servers: `${ip(block + 2048)}/24`,
    dmz: `${ip(block + 2304)}/24`,
    serverHost: (k) => ip(block + 2048 + 10 + k),
    web: `${ip(global)}/32`,
    nat: `${ip(global + 2)}/31`,
    webHost: ip(global),
  };
}

function mixedOrg(i, n, rulesPerOrg, rand, touch) {
  const id = `org-${pad(i, 5)}`;
  const a = orgAddresses(i);
  const domain = `${id}.lg.example.jp`;
  const firewall = [];
  // destinations: an external host block per organization (outside every org's space), or a neighbour's export
  const ext = base(172, 16, 0, 0) + ((i * 1024) % (1 << 20));
  const nets = ["lan", "servers", "dmz"];
  if (rulesPerOrg > 0) firewall.push({ name: "smtp-out", from: ["servers"], to: ["internet"], protocol: "tcp", ports: [25], action: "accept" });
  for (let k = 0; k < rulesPerOrg - 1; k++) {
    const svc = SERVICES[k % SERVICES.length];
    const src = nets[(Math.floor(k / SERVICES.length) + 1) % nets.length];
    const slot = Math.floor(k / (SERVICES.length * nets.length));
    let to;
    // a quarter of the rules go to other organizations' exported servers; the rest to distinct external hosts
    if (n > 1 && k % 4 === 3 && slot < n - 1) to = [`org-${pad((i + 1 + slot) % n, 5)}:servers`];
    else to = [`${ip(ext + ((slot * 7) % 1024))}/32`];
    const action = rand() < 0.15 ? "drop" : "accept";
    const rule = { name: `r${pad(k, 6)}`, from: [src], to, protocol: svc.protocol, ports: svc.ports, action };
    if (k % 10 === 0) rule.log = true;
    if (k % 5 === 0) rule.comment = `${svc.name} rule ${k}`;
    firewall.push(rule);
  }
  const records = [];
  if (touch > 0 && i % touch === 0) {
    // the change of the plan figure: a new rule to a host no other rule uses, and a new record
    firewall.push({ name: "touched", from: ["lan"], to: [`${ip(base(172, 16, 0, 0) + (1 << 20) - 1 - (i % 1024))}/32`], protocol: "tcp", ports: [8443], action: "accept", comment: "added" });
    records.push({ name: "new", type: "A", value: a.webHost });
  }
  return {
    id,
    doc: {
      id,
      name: { ja: `合成団体${i}`, en: `Synthetic organization ${i}` },
      kind: i === 0 ? "prefecture" : "city",
      maintainers: [`@bench/${id}`],
      contacts: [{ name: "情報システム担当", email: `it@${domain}`, phone: "059-000-0000" }],
      networks: [
        { name: "lan", cidr: a.lan, description: "庁内LAN" },
        { name: "servers", cidr: a.servers, description: "サーバセグメント" },
        { name: "dmz", cidr: a.dmz },
      ],
      globalAddresses: [
        { name: "web", address: a.web },
        { name: "nat", address: a.nat },
      ],
      domains: [domain],
      exports: [{ name: "servers", to: ["*"] }],
      bandwidth: { ingressMbps: 100 + (i % 10) * 100, egressMbps: 100 + (i % 10) * 100 },
      firewall,
      reverseProxy: [
        { name: "www", hostname: `www.${domain}`, site: "official", origin: { address: a.serverHost(0), port: 443, tls: true }, cdn: true },
        { name: "bousai", hostname: `bousai.${domain}`, site: "disaster", origin: { address: a.serverHost(1), port: 80 } },
      ],
      dns: [
        {
          zone: domain,
          records: [
            { name: "@", type: "A", value: a.webHost },
            { name: "@", type: "MX", value: "10 mx1.bench-cloud.example.jp." },
            { name: "@", type: "TXT", value: "v=spf1 ip4:100.97.0.8/30 -all" },
            { name: "www", type: "A", value: a.webHost },
            { name: "bousai", type: "A", value: a.webHost, ttl: 300 },
            { name: "mail", type: "A", value: a.serverHost(2), view: "internal" },
            ...records,
          ],
        },
      ],
      mailRelay: [{ domain, nextHop: a.serverHost(2), port: 25 }],
    },
  };
}

function generateMixed(o) {
  if (o.orgs > 2047) throw new Error("mixed mode: at most 2047 organizations (one /20 of 10.0.0.0/9 each)");
  const rand = rng(o.seed);
  const inv = join(o.out, "inventory");
  write(join(inv, "cloud.yaml"), header(`mixed, ${o.orgs} organizations × ${o.rules} rules, seed ${o.seed}`) + yamlOut(cloudFile()));
  const devices = [
    ...firewallDevices(),
    localDevice("dns-bind-1", "bind", ["dns"]),
    localDevice("rp-nginx-1", "nginx", ["reverseProxy"]),
    localDevice("mail-postfix-1", "postfix", ["mailRelay"]),
    ...(o.sshDevices ?? []),
  ];
  write(join(inv, "devices.yaml"), header("devices") + yamlOut({ devices }));
  let rules = 0;
  for (let i = 0; i < o.orgs; i++) {
    const { id, doc } = mixedOrg(i, o.orgs, o.rules, rand, o.touch ?? 0);
    rules += doc.firewall.length;
    write(join(inv, "orgs", `${id}.yaml`), header(id) + yamlOut(doc));
  }
  return { orgs: o.orgs, rules, devices: devices.length };
}

// ───────────────────────── mode "policy" ─────────────────────────

const POLICY_ORGS = 33;
const POLICY_PREFIXES = 103;

function policyShape() {
  const orgs = [];
  let left = POLICY_PREFIXES;
  for (let i = 0; i < POLICY_ORGS; i++) {
    const count = Math.floor(left / (POLICY_ORGS - i)); // 3 or 4: 103 in all
    left -= count;
    const block = base(10, 0, 0, 0) + (i + 1) * 65536; // 10.(i+1).0.0/16
    const nets = [];
    for (let k = 0; k < count; k++) nets.push({ name: `net${k}`, cidr: `${ip(block + k * 4096)}/20` });
    orgs.push({ id: `org-${pad(i + 1, 2)}`, nets, index: i });
  }
  return orgs;
}

/** The policy's rules: each organization, round robin, gets its next distinct (own network, peer network, service). */
function policyRules(orgs, total, rand) {
  const perOrg = orgs.map(() => []);
  const peersOf = orgs.map((o) => orgs.filter((p) => p !== o).flatMap((p) => p.nets.map((n) => ({ org: p.id, net: n.name, cidr: n.cidr }))));
  const capacity = orgs.reduce((s, o, i) => s + 1 + o.nets.length * peersOf[i].length * SERVICES.length, 0);
  if (total > capacity) throw new Error(`policy mode holds at most ${capacity} distinct rules`);
  const counters = orgs.map(() => 0);
  for (let r = 0; r < total; r++) {
    const i = r % orgs.length;
    const o = orgs[i];
    const peers = peersOf[i];
    const n = counters[i]++;
    if (n === 0) {
      // first of each organization: mail to the internet on 25 only. It contains every later
      // outbound SMTP (25, 587) rule's lowest port and destination, so the analysis compares
      // them (and finds they are not covered: 587 is not in it)
      perOrg[i].push({ name: "smtp-out", own: o.nets[0], peer: null, svc: SMTP_ONLY, action: "accept", outbound: true });
      continue;
    }
    const k = n - 1;
    // a stride walk through the triples, so that neighbouring rules differ in every field
    const svc = SERVICES[k % SERVICES.length];
    const rest = Math.floor(k / SERVICES.length);
    const peer = peers[(rest * 37) % peers.length];
    const own = o.nets[Math.floor(rest / peers.length) % o.nets.length];
    const check = Math.floor(rest / peers.length / o.nets.length);
    if (check > 0) throw new Error("internal: policy triple reused");
    // a stride of 37 over the peer list visits every peer once per cycle only when gcd(37, peers) = 1
    const action = rand() < 0.15 ? "drop" : "accept";
    perOrg[i].push({ name: `r${pad(k, 6)}`, own, peer, svc, action, outbound: k % 2 === 0 });
  }
  return perOrg;
}

function generatePolicy(o) {
  const rand = rng(o.seed);
  const orgs = policyShape();
  for (const org of orgs) {
    const peers = POLICY_PREFIXES - org.nets.length;
    if (gcd(37, peers) !== 1) throw new Error(`internal: stride 37 and ${peers} peers are not coprime`);
  }
  const perOrg = policyRules(orgs, o.rules, rand);
  const inv = join(o.out, "inventory");
  write(join(inv, "cloud.yaml"), header(`policy, ${POLICY_ORGS} organizations, ${POLICY_PREFIXES} prefixes, ${SERVICES.length} services, ${o.rules} rules, seed ${o.seed}`) + yamlOut(cloudFile()));
  const devices = [...firewallDevices(), ...(o.sshDevices ?? [])];
  write(join(inv, "devices.yaml"), header("devices") + yamlOut({ devices }));
  orgs.forEach((org, i) => {
    const domain = `${org.id}.lg.example.jp`;
    const firewall = perOrg[i].map((r) => {
      // outbound: own network to the peer's; inbound: the peer's to the own network (either way one side is own)
      const peer = r.peer ? `${r.peer.org}:${r.peer.net}` : "internet";
      const from = r.outbound ? [r.own.name] : [peer];
      const to = r.outbound ? [peer] : [r.own.name];
      return { name: r.name, from, to, protocol: r.svc.protocol, ports: r.svc.ports, action: r.action };
    });
    const doc = {
      id: org.id,
      name: { ja: `合成団体${i + 1}`, en: `Synthetic organization ${i + 1}` },
      kind: i === 0 ? "prefecture" : "city",
      contacts: [{ name: "情報システム担当", email: `it@${domain}` }],
      networks: org.nets.map((n) => ({ name: n.name, cidr: n.cidr })),
      domains: [domain],
      exports: org.nets.map((n) => ({ name: n.name, to: ["*"] })),
      firewall,
    };
    write(join(inv, "orgs", `${org.id}.yaml`), header(org.id) + yamlOut(doc));
  });
  if (o.aerleon) writeAerleon(join(o.out, "aerleon"), orgs, perOrg, o);
  return { orgs: orgs.length, rules: o.rules, devices: devices.length, prefixes: POLICY_PREFIXES, services: SERVICES.length };
}

function gcd(a, b) {
  return b === 0 ? a : gcd(b, a % b);
}

// ───────────────────────── Aerleon input ─────────────────────────

const netName = (org, net) => `${org.toUpperCase().replace(/-/g, "_")}_${net.toUpperCase()}`;
const svcPorts = (svc) => svc.ports.map((p) => `${p}/${svc.protocol}`);

/**
 * The same policy for Aerleon (https://github.com/aerleon/aerleon):
 *   aclgen --base_directory=policies/pol --definitions_directory=def --output_directory=out [--shade_check]
 * One juniper filter holds the rules of all organizations in the order scconf
 * checks them (organization by organization), with the same services.
 */
function writeAerleon(dir, orgs, perOrg, o) {
  rmSync(dir, { recursive: true, force: true });
  const net = [];
  const netYaml = {};
  for (const org of orgs) {
    for (const n of org.nets) {
      net.push(`${netName(org.id, n.name)} = ${n.cidr}  # ${org.id} ${n.name}`);
      netYaml[netName(org.id, n.name)] = { values: [{ address: n.cidr, comment: `${org.id} ${n.name}` }] };
    }
  }
  net.push("INTERNET = 0.0.0.0/0  # the cloud's global object internet");
  netYaml.INTERNET = { values: [{ address: "0.0.0.0/0" }] };
  const svc = [];
  const svcYaml = {};
  for (const s of [...SERVICES, SMTP_ONLY]) {
    const ports = svcPorts(s);
    svc.push(`${s.name} = ${ports.join("\n" + " ".repeat(s.name.length + 3))}`);
    svcYaml[s.name] = s.ports.map((p) => ({ port: String(p), protocol: s.protocol }));
  }
  write(join(dir, "def", "NETWORK.net"), `# ${POLICY_PREFIXES} prefixes of ${POLICY_ORGS} synthetic organizations (bench/gen-inventory.mjs)\n${net.join("\n")}\n`);
  write(join(dir, "def", "SERVICES.svc"), `# ${SERVICES.length} services, and SMTP25 for the first rule of each organization (bench/gen-inventory.mjs)\n${svc.join("\n")}\n`);
  write(join(dir, "def", "definitions.yaml"), yamlOut({ networks: netYaml, services: svcYaml }));

  const terms = [];
  const termsYaml = [];
  orgs.forEach((org, i) => {
    for (const r of perOrg[i]) {
      const own = netName(org.id, r.own.name);
      const peer = r.peer ? netName(r.peer.org, r.peer.net) : "INTERNET";
      const [src, dst] = r.outbound ? [own, peer] : [peer, own];
      const name = `${org.id}-${r.name}`;
      const action = r.action === "drop" ? "deny" : "accept";
      terms.push(`term ${name} {\n  source-address:: ${src}\n  destination-address:: ${dst}\n  destination-port:: ${r.svc.name}\n  protocol:: ${r.svc.protocol}\n  action:: ${action}\n}\n`);
      termsYaml.push({ name, "source-address": src, "destination-address": dst, "destination-port": r.svc.name, protocol: r.svc.protocol, action });
    }
  });
  const comment = `synthetic policy: ${POLICY_ORGS} organizations, ${POLICY_PREFIXES} prefixes, ${SERVICES.length} services, ${o.rules} rules, seed ${o.seed}`;
  write(join(dir, "policies", "pol", "bench.pol"), `header {\n  comment:: "${comment}"\n  target:: juniper bench-filter inet\n}\n\n${terms.join("\n")}`);
  write(
    join(dir, "policies", "yaml", "bench.yaml"),
    yamlOut({ filters: [{ header: { comment, targets: { juniper: "bench-filter inet" } }, terms: termsYaml }] }),
  );
  write(
    join(dir, "README.txt"),
    [
      `Aerleon input for the same ${comment}.`,
      "Run (Aerleon 1.x, one platform, as in BENCHMARKS.md):",
      "  /usr/bin/time -v aclgen --base_directory=policies/pol --definitions_directory=def --output_directory=out",
      "  /usr/bin/time -v aclgen --base_directory=policies/pol --definitions_directory=def --output_directory=out --shade_check",
      "policies/yaml/bench.yaml with def/definitions.yaml is the same policy in Aerleon's YAML format",
      "(use one definitions format at a time: move the .net/.svc files away when using definitions.yaml).",
      "",
    ].join("\n"),
  );
}

// ───────────────────────── main ─────────────────────────

export function generate(o) {
  rmSync(join(o.out, "inventory"), { recursive: true, force: true });
  return o.mode === "policy" ? generatePolicy(o) : generateMixed(o);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const o = parseArgs(process.argv.slice(2));
    const summary = generate(o);
    process.stdout.write(`${JSON.stringify({ out: o.out, mode: o.mode, seed: o.seed, ...summary })}\n`);
  } catch (err) {
    process.stderr.write(`gen-inventory: ${err.message}\n`);
    process.exit(1);
  }
}
