// The real spamd 4.0 on 127.0.0.1, run as the device must run it, with the
// files that scconf renders for the sample inventory's mail-sa-1: an
// organization's spam exclusion welcome-lists the sender only for mail to that
// organization's own domains, never for the other organizations' mail.
//
// The site directory is Debian's stock /etc/spamassassin (extracted by
// scripts/setup.sh into .cache/stock, never the host's) with each rendered
// artifact at its device path below /etc/spamassassin. spamd runs with
// -x --virtual-config-dir=<site>/scconf-users/%d and spamc sends the envelope
// recipient with -u, once per recipient: the device requirement that the
// rendered local-cf states. One spamd serves the whole file with a single child
// (-m 1), so a domain's preferences lingering into the next scan would show.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stockConfig } from "../../src/render/check/stock.js";
import { renderDevice } from "../../src/render/render.js";
import { loadFixture, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

import { freePort } from "../../src/workflow/lab/process.js";

const run = promisify(execFile);
const DEVICE_ETC = "/etc/spamassassin/";

let dir = "";
let port = 0;
let daemon: ChildProcess | undefined;
let log = "";

/** Resolves when spamd logs that it listens; rejects when it exits first or the deadline passes. */
function listening(child: ChildProcess, deadlineMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`spamd did not listen on 127.0.0.1:${port} within ${deadlineMs} ms; log:\n${log}`)), deadlineMs);
    child.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (/server started on/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`spamd exited (${code ?? signal}) before listening; log:\n${log}`));
    });
  });
}

/** A message as our MX hands it to spamd: its Received line records the connecting relay. */
function message(from: string, relayIp: string, rcpt: string): string {
  return [
    `Received: from relay.sender.example (relay.sender.example [${relayIp}])`,
    `\tby mx1.cloud.example.jp (Postfix) with ESMTP id 4Xq7Zk2Lm9`,
    `\tfor <${rcpt}>; Mon, 23 Nov 2026 10:00:00 +0900`,
    `From: ${from}`,
    `To: ${rcpt}`,
    "Subject: monthly notice",
    "Date: Mon, 23 Nov 2026 10:00:00 +0900",
    `Message-ID: <20261123100000.4Xq7Zk2Lm9@${from.split("@")[1]}>`,
    "",
    "Please find the notice of this month below.",
    "",
  ].join("\n");
}

/** The names of the rules the message hit, scanned by spamd for one recipient. */
async function hits(from: string, relayIp: string, rcpt: string): Promise<string[]> {
  // -x: no safe fallback, so an unreachable spamd is an error and not an unscanned "not welcome-listed"
  const child = execFile("spamc", ["-x", "-d", "127.0.0.1", "-p", String(port), "-u", rcpt, "-R"], { timeout: 30_000 });
  child.stdin!.end(message(from, relayIp, rcpt));
  const stdout = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`spamc exited ${code}: ${out}\nspamd log:\n${log}`))));
  });
  expect(stdout, "a spamd report").toContain("Content analysis details:");
  return [...stdout.matchAll(/^\s*-?\d+(?:\.\d+)?\s+([A-Z0-9_]+)\s/gm)].map((m) => m[1]!);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "scconf-spamd-"));
  const site = path.join(dir, "etc", "spamassassin");
  const stock = stockConfig("spamassassin", "spamassassin");
  if ("missing" in stock) throw new Error(stock.missing);
  mkdirSync(site, { recursive: true });
  for (const f of readdirSync(stock.dir)) if (/\.(pre|cf)$/.test(f)) cpSync(path.join(stock.dir, f), path.join(site, f));
  const inv = loadFixture(SAMPLE_INVENTORY);
  const config = renderDevice(inv, inv.devices.find((d) => d.name === "mail-sa-1")!, { today: TEST_TODAY });
  for (const a of config.artifacts) {
    if (!a.path.startsWith(DEVICE_ETC)) throw new Error(`${a.id}: ${a.path} is not below ${DEVICE_ETC}`);
    const file = path.join(site, a.path.slice(DEVICE_ETC.length));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, a.content);
  }
  mkdirSync(path.join(dir, "home"));
  // spamd refuses to run as root: as root it drops to nobody, who must read the files (mkdtemp makes 0700)
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? "nobody" : os.userInfo().username;
  chmodSync(dir, 0o755);
  if (asRoot) await run("chown", ["nobody", path.join(dir, "home")]);
  port = await freePort();
  daemon = spawn(
    "spamd",
    [
      "-x",
      `--virtual-config-dir=${site}/scconf-users/%d`,
      `--siteconfigpath=${site}`,
      "-C", "/usr/share/spamassassin",
      `--username=${user}`,
      "-H", path.join(dir, "home"),
      "-i", `127.0.0.1:${port}`,
      "-A", "127.0.0.1",
      "-m", "1",
      "-L",
      "-s", "stderr",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  await listening(daemon, 90_000);
}, 120_000);

afterAll(async () => {
  if (daemon?.pid && daemon.exitCode === null && daemon.signalCode === null) {
    const exited = new Promise((r) => daemon?.once("exit", r));
    daemon.kill("SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe("spamd with the rendered per-domain preferences", () => {
  // kinan-kaigo: kaigo-vendor, sender support@kaigo-vendor.example.co.jp, bypass both
  const vendor = "support@kaigo-vendor.example.co.jp";
  const outside = "198.51.100.7";

  it("welcome-lists an excluded address for mail to the excluding organization's domain", async () => {
    expect(await hits(vendor, outside, "kaigo@kinan-kaigo.lg.example.jp")).toContain("USER_IN_WELCOMELIST");
  });

  it("does not welcome-list that address for another organization's mail (issue 17: kinan-kaigo's sender to asahi)", async () => {
    const r = await hits(vendor, outside, "soumu@asahi.lg.example.jp");
    expect(r).not.toContain("USER_IN_WELCOMELIST");
    expect(r.length, "the message was scored").toBeGreaterThan(0);
  });

  it("does not welcome-list it for a domain no organization has", async () => {
    expect(await hits(vendor, outside, "someone@elsewhere.example.net")).not.toContain("USER_IN_WELCOMELIST");
  });

  // yokkaichi: port-authority, sender 203.0.113.160/29, bypass spam; kameyama: mfp-scanner, 203.0.113.170/32, bypass both
  it.each([
    ["yokkaichi's prefix", "203.0.113.165", "kowan@yokkaichi.lg.example.jp", "soumu@tsu.lg.example.jp"],
    ["kameyama's address", "203.0.113.170", "soumu@kameyama.lg.example.jp", "soumu@yokkaichi.lg.example.jp"],
  ])("welcome-lists %s as the relay only for mail to its own organization", async (_what, ip, own, other) => {
    expect(await hits("notice@sender.example", ip, own)).toContain("USER_IN_WELCOMELIST");
    expect(await hits("notice@sender.example", ip, other)).not.toContain("USER_IN_WELCOMELIST");
  });

  it("does not welcome-list a relay next to the excluded prefix", async () => {
    expect(await hits("notice@sender.example", "203.0.113.168", "kowan@yokkaichi.lg.example.jp")).not.toContain("USER_IN_WELCOMELIST");
  });

  it("keeps no organization's preferences in spamd's child for the next recipient", async () => {
    for (const [rcpt, welcome] of [
      ["soumu@asahi.lg.example.jp", false],
      ["kaigo@kinan-kaigo.lg.example.jp", true],
      ["soumu@asahi.lg.example.jp", false],
    ] as const) {
      expect((await hits(vendor, outside, rcpt)).includes("USER_IN_WELCOMELIST"), rcpt).toBe(welcome);
    }
  });
});
