// The real rspamd 3.4 daemon, on 127.0.0.1, with the settings file that
// `scconf render` writes for the sample inventory: an organization's exclusion
// exempts the sender only for mail to that organization's own domains.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

import { freePort } from "../../src/workflow/lab/process.js";

const run = promisify(execFile);

let dir = "";
let port = 0;
let daemon: ChildProcess | undefined;

const MESSAGE = "From: scanner@kameyama.example\r\nTo: someone@example.jp\r\nSubject: scan\r\n\r\nscanned document\r\n";

interface Scan {
  is_skipped: boolean;
  symbols: Record<string, unknown>;
}

async function scan(ip: string, from: string, rcpt: string[]): Promise<Scan> {
  const args = ["-h", `127.0.0.1:${port}`, "-j", "--ip", ip, "--from", from, ...rcpt.flatMap((r) => ["--rcpt", r]), path.join(dir, "msg.eml")];
  const { stdout } = await run("rspamc", args, { timeout: 20_000 });
  return JSON.parse(stdout) as Scan;
}

async function waitReady(deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      const r = await scan("192.0.2.250", "probe@example.net", ["probe@example.net"]);
      if (Object.keys(r.symbols).length > 0) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`rspamd did not answer on 127.0.0.1:${port}; log: ${await readFile(path.join(dir, "rspamd.log"), "utf8").catch(() => "")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "scconf-rspamd-"));
  const out = path.join(dir, "rendered");
  await run("node", [path.join(REPO_ROOT, "bin/scconf"), "-i", SAMPLE_INVENTORY, "--today", TEST_TODAY, "render", "--device", "mail-rspamd-1", "--out", out], { cwd: REPO_ROOT });
  await mkdir(path.join(dir, "local.d"), { recursive: true });
  await mkdir(path.join(dir, "db"), { recursive: true });
  await writeFile(path.join(dir, "local.d/settings.conf"), await readFile(path.join(out, "mail-rspamd-1/settings-conf")));
  // offline: no fuzzy servers, no resolver outside 127.0.0.1
  await writeFile(path.join(dir, "local.d/fuzzy_check.conf"), 'rule "rspamd.com" { enabled = false; servers = "127.0.0.1:1"; }\n');
  port = await freePort();
  await writeFile(
    path.join(dir, "rspamd.conf"),
    [
      '.include "$CONFDIR/common.conf"',
      'options { pidfile = "$RUNDIR/rspamd.pid"; .include "$CONFDIR/options.inc"; dns { nameserver = ["127.0.0.1:1"]; timeout = 0.1s; retransmits = 0; } }',
      'logging { type = "file"; filename = "$LOGDIR/rspamd.log"; level = "info"; }',
      `worker "normal" { bind_socket = "127.0.0.1:${port}"; count = 1; .include "$CONFDIR/worker-normal.inc" }`,
      "",
    ].join("\n"),
  );
  await writeFile(path.join(dir, "msg.eml"), MESSAGE);
  daemon = spawn("rspamd", ["-f", "-i", "-c", path.join(dir, "rspamd.conf"), `--var=LOCAL_CONFDIR=${dir}`, `--var=DBDIR=${dir}/db`, `--var=RUNDIR=${dir}`, `--var=LOGDIR=${dir}`], {
    stdio: "ignore",
  });
  await waitReady(90_000);
}, 150_000);

afterAll(async () => {
  if (daemon?.pid && daemon.exitCode === null) {
    daemon.kill("SIGTERM");
    await new Promise((r) => daemon?.once("exit", r));
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 30_000);

describe("rspamd daemon with the rendered settings", () => {
  // kameyama: mfp-scanner, sender 203.0.113.170/32, bypass both
  it("exempts the excluded sender for mail to the excluding organization's own domain", async () => {
    const r = await scan("203.0.113.170", "scanner@kameyama.example", ["soumu@kameyama.lg.example.jp"]);
    expect(r.is_skipped).toBe(true);
  });

  it("still scans mail from the excluded sender to another organization", async () => {
    const r = await scan("203.0.113.170", "scanner@kameyama.example", ["soumu@tsu.lg.example.jp"]);
    expect(r.is_skipped).toBe(false);
    expect(Object.keys(r.symbols).length).toBeGreaterThan(0);
  });

  it("scans the same message from a sender nobody excluded", async () => {
    const r = await scan("203.0.113.171", "scanner@kameyama.example", ["soumu@kameyama.lg.example.jp"]);
    expect(r.is_skipped).toBe(false);
  });
});
