// Issue 17, mail: an organization's spam/malware exclusion may exempt only a
// narrow sender that is neither another organization's nor the cloud's, and an
// exclusion that skips malware scanning is never a minor change.
import { beforeEach, describe, expect, it } from "vitest";
import { makeRepo, type TestRepo } from "./repo.js";

const ANCHOR = "  - { name: vendor-domain, sender: vendor.example.com, reason: 保守ベンダー }";

describe("validate: spam exclusion senders", () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = makeRepo();
  });

  function addExclusion(line: string): { code: number; out: string } {
    repo.edit("orgs/tsu.yaml", ANCHOR, `${ANCHOR}\n${line}`, "Bob");
    const r = repo.scconf(["validate"]);
    return { code: r.code, out: r.stdout + r.stderr };
  }

  it("refuses an IPv4 sender range wider than /24 at its line, naming the limit", () => {
    const r = addExclusion("  - { name: wide, sender: 128.0.0.0/2, reason: x }");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/orgs\/tsu\.yaml:34:\d+: error: spamExclusions\[2\]\.sender: the excluded sender range 128\.0\.0\.0\/2 is wider than \/24, the limit of cloud\.yaml spamExclusions\.maxSenderPrefix\.ipv4/);
  });

  it("refuses an IPv6 sender range wider than /48", () => {
    const r = addExclusion('  - { name: wide6, sender: "8000::/1", reason: x }');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/orgs\/tsu\.yaml:34:\d+: error: spamExclusions\[2\]\.sender: the excluded sender range 8000::\/1 is wider than \/48/);
  });

  it("takes the limit from cloud.yaml", () => {
    repo.edit("cloud.yaml", /^objects:/m, "spamExclusions:\n  maxSenderPrefix: { ipv4: 28, ipv6: 64 }\nobjects:", "Alice");
    const r = addExclusion("  - { name: twenty-six, sender: 203.0.113.0/26, reason: x }");
    expect(r.code).toBe(1);
    expect(r.out).toContain("203.0.113.0/26 is wider than /28");
  });

  it("refuses a sender inside another organization's domain, naming the owner", () => {
    const r = addExclusion("  - { name: pref, sender: info@pref.mie.example.jp, reason: x }");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/orgs\/tsu\.yaml:34:\d+: error: spamExclusions\[2\]\.sender: the excluded sender info@pref\.mie\.example\.jp is inside pref\.mie\.example\.jp, which belongs to mie-pref \(.*orgs\/mie-pref\.yaml:14:\d+\)/);
  });

  it("refuses a sender inside the cloud's own domain", () => {
    const r = addExclusion("  - { name: cloud, sender: mx1.mie-sec-cloud.jp, reason: x }");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/orgs\/tsu\.yaml:34:\d+: error: spamExclusions\[2\]\.sender: the excluded sender mx1\.mie-sec-cloud\.jp is inside the cloud's domain mie-sec-cloud\.jp/);
  });

  it("refuses a sender range inside the cloud's own addresses", () => {
    const r = addExclusion("  - { name: mgmt, sender: 10.255.0.0/24, reason: x }");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/spamExclusions\[2\]\.sender: the excluded sender range 10\.255\.0\.0\/24 overlaps the cloud's infrastructure\.management/);
  });
});

describe("plan: an exclusion that skips malware scanning is never minor", () => {
  it("classes bypass: both as needing approval although the policy says minor, and bypass: spam as minor", () => {
    const repo = makeRepo();
    repo.git(["checkout", "-q", "-b", "tsu-mail"]);
    repo.edit("orgs/tsu.yaml", ANCHOR, `${ANCHOR}\n  - { name: scanner, sender: 203.0.113.200/32, bypass: both, reason: 複合機 }\n  - { name: notices, sender: news@example.net, bypass: spam, reason: 通知 }`, "Bob");
    const r = repo.scconf(["plan", "--base", "main"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/spamExclusions · scanner: 203\.0\.113\.200\/32 bypasses both\s+\[needs approval\]/);
    expect(r.stdout).toMatch(/spamExclusions · notices: news@example\.net bypasses spam\s+\[minor\]/);
  });
});
