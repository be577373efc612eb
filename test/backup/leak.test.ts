// Proves, by searching everything the repository holds, that planted secrets
// of every known form never reach it, on every platform.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenerationStore } from "../../src/backup/store.js";
import type { RecordEntry } from "../../src/backup/layout.js";

/** Running configurations per platform; every PLANT... marker is a secret (or inside one). */
const RUNNING: Record<string, { platform: string; text: (v: string) => string }> = {
  "fw-junos": {
    platform: "junos",
    text: (v) => `## Last commit: 2026-11-27 01:00:00 JST by noc
set system host-name fw-junos
set system root-authentication encrypted-password "$6$rootsalt$PLANTjunosRoot${v}"
set system login user noc uid 2001
set system login user noc authentication encrypted-password "$6$nocsalt$PLANTjunosNoc"
set system radius-server 192.0.2.5 secret "$9$PLANTjunosRadius"
set system ntp authentication-key 1 type md5 value "$9$PLANTjunosNtp"
set protocols ospf area 0.0.0.0 interface ge-0/0/0.0 authentication md5 1 key "$9$PLANTjunosOspf"
set security ike policy ike-pol pre-shared-key ascii-text "$9$PLANTjunosPsk"
set snmp community PLANTjunosCommunity authorization read-only
set security policies from-zone trust to-zone untrust policy tsu-web match source-address tsu-net
system {
    root-authentication {
        encrypted-password "$6$x$PLANTcurlyRoot"; ## SECRET-DATA
    }
}
snmp {
    community PLANTcurlyCommunity {
        authorization read-only;
    }
}
`,
  },
  "fw-forti": {
    platform: "fortios",
    text: (v) => `#config-version=FGT60F-7.2.5
config system admin
    edit "admin"
        set accprofile "super_admin"
        set password ENC SH2PLANTfortiAdmin${v}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
    next
end
config user local
    edit "vpnuser"
        set type password
        set passwd ENC PLANTfortiPasswdAAAAAAAAAAAAAAAA==
    next
end
config vpn ipsec phase1-interface
    edit "to-branch"
        set psksecret ENC PLANTfortiPskAAAAAAAAAAAAAAAAAAAA==
    next
end
config system snmp community
    edit 1
        set name "PLANTfortiCommunity"
        set community "PLANTfortiSetCommunity"
        config hosts
            edit 1
                set ip 192.0.2.10 255.255.255.255
            next
        end
    next
end
config vpn certificate local
    edit "gw"
        set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIIFPLANTfortiPemLine1AAAA
PLANTfortiPemLine2
-----END ENCRYPTED PRIVATE KEY-----"
        set certificate "-----BEGIN CERTIFICATE-----
MIICpublicCertificateLine
-----END CERTIFICATE-----"
    next
end
`,
  },
  proxy: {
    platform: "squid",
    text: () => `http_port 3128
cache_peer parent.example.jp parent 3128 0 no-query default login=proxyuser:PLANTsquidPeer
cache_peer other.example.jp parent 8080 0 login=PASSTHRU
acl tsu src 10.20.0.0/16
`,
  },
  revproxy: {
    platform: "haproxy",
    text: () => `userlist noc
    user admin password $6$hsalt$PLANThaproxyHash
    user ops insecure-password PLANThaproxyPlain
listen stats
    bind 127.0.0.1:8404
    stats auth admin:PLANThaproxyStats
`,
  },
  web: {
    platform: "nginx",
    text: () => `server {
    listen 443 ssl;
    ssl_certificate /etc/nginx/tls/site.crt;
    ssl_certificate_key /etc/nginx/tls/site.key;
    ssl_password_file /etc/nginx/tls/PLANTnginxPassFile.pass;
}
-----BEGIN RSA PRIVATE KEY-----
MIIEPLANTnginxPem
-----END RSA PRIVATE KEY-----
`,
  },
  dns: {
    platform: "bind",
    text: () => `key "xfer-key" {
    algorithm hmac-sha256;
    secret "PLANTbindSecretBase64AAAAAAAAAAAAA=";
};
key "inline" { algorithm hmac-sha256; secret "PLANTbindInline=="; };
zone "tsu.mie.jp" { type primary; file "tsu.zone"; };
`,
  },
  mail: {
    platform: "postfix",
    text: () => `relayhost = [smtp.example.jp]:587
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = hash:/etc/postfix/PLANTpostfixMapPath
# /etc/postfix/sasl_passwd
[smtp.example.jp]:587 relayuser:PLANTpostfixSasl
bind_pw = PLANTpostfixLdap
mie.example.jp smtp:[192.0.2.25]:25
`,
  },
  spam: {
    platform: "rspamd",
    text: () => `password = "PLANTrspamdPassword";
enable_password = "$2$PLANTrspamdEnable";
`,
  },
  ids: {
    platform: "suricata",
    text: () => `community-id: true
rocommunity PLANTsnmpRo 192.0.2.0/24
com2sec readonly default PLANTsnmpCom2sec
api-key = PLANTgenericApiKey
  api_token: PLANTgenericToken
  "private-key": "PLANTjsonPrivateKey",
proxy = http://user:PLANTurlPass@proxy.example.jp:8080/
`,
  },
};

let dir: string;
let store: GenerationStore;
const savedHome = process.env.HOME;

function git(...args: string[]): string {
  return execFileSync("git", ["-C", store.path, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
}

function entries(variant: string): RecordEntry[] {
  return Object.entries(RUNNING).map(([device, { platform, text }]) => ({
    device,
    platform,
    artifacts: [{ id: "main", path: `/etc/${device}.conf`, content: `# rendered for ${device}\n` }],
    running: text(variant),
  }));
}

/** every byte git holds: all history with patches, every object (reachable or not), the work tree */
async function everything(): Promise<string> {
  const objects = execFileSync("git", ["-C", store.path, "cat-file", "--batch", "--batch-all-objects"], { maxBuffer: 64 << 20 }).toString("utf8");
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name === ".git" && d === store.path) continue;
      if (e.isDirectory()) await walk(join(d, e.name));
      else files.push(await readFile(join(d, e.name), "utf8"));
    }
  };
  await walk(store.path);
  return [git("log", "-p", "--all"), objects, ...files].join("\n");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "scconf-leak-"));
  process.env.HOME = dir;
  store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
  await store.record(entries("A"), { change: "CHG-1", operator: "tanaka", kind: "backup" });
  // the second run changes only the Junos root password and the FortiOS admin password
  await store.record(entries("B"), { change: "CHG-2", operator: "tanaka", kind: "backup" });
});
afterAll(async () => {
  process.env.HOME = savedHome;
  await rm(dir, { recursive: true, force: true });
});

describe("no planted secret reaches the repository", () => {
  it("finds none of the planted values anywhere in history, objects or work tree", async () => {
    const all = await everything();
    const planted = new Set<string>();
    for (const { text } of Object.values(RUNNING)) {
      for (const v of ["A", "B"]) for (const m of text(v).matchAll(/PLANT[A-Za-z0-9]*/g)) planted.add(m[0]);
    }
    expect(planted.size).toBeGreaterThan(35);
    const leaked = [...planted].filter((p) => all.includes(p));
    expect(leaked).toEqual([]);
    expect(all).not.toMatch(/PRIVATE KEY-----|\$6\$|\$9\$|\$2\$|ENC [A-Za-z0-9]{8}/);
    // non-secret context survives, so the audit copy is still useful
    expect(all).toContain("set security policies from-zone trust to-zone untrust policy tsu-web");
    expect(all).toContain("MIICpublicCertificateLine");
    expect(all).toContain("relayhost = [smtp.example.jp]:587");
  });

  it("shows a changed secret as a change and keeps unchanged secrets out of the diff", () => {
    const diff = git("diff", "HEAD~1", "HEAD", "--", "devices/");
    const changedLines = diff.split("\n").filter((l) => /^[-+][^-+]/.test(l));
    // files in path order: fw-forti meta.json, running.txt, then fw-junos; only the two changed secrets differ
    const sha = expect.stringMatching(/^\+\s+"sha256": "[0-9a-f]{64}"$/);
    expect(changedLines.filter((l) => l.startsWith("+")).map((l) => l.replace(/hmac:[0-9a-f]+/, "hmac:H"))).toEqual([
      sha,
      "+        set password ENC <redacted:hmac:H>",
      sha,
      '+set system root-authentication encrypted-password "<redacted:hmac:H>"',
    ]);
    const devices = git("diff", "--name-only", "HEAD~1", "HEAD", "--", "devices/").trim().split("\n");
    expect(devices).toEqual(["devices/fw-forti/meta.json", "devices/fw-forti/running.txt", "devices/fw-junos/meta.json", "devices/fw-junos/running.txt"]);
  });

  it("reads back exactly the redacted running configuration it stored", async () => {
    const snap = (await store.latest("fw-junos"))!;
    expect(snap.running).toContain('set system radius-server 192.0.2.5 secret "<redacted:hmac:');
    expect(snap.running).not.toContain("PLANT");
  });
});
