// The rendered squid URL filter of the sample, run by the real squid on
// 127.0.0.1: each organization's clients (loopback source addresses put in
// place of its networks) send real requests through it. Found by trying: a URL
// pattern ending in "*" rendered as a literal asterisk and never matched
// (komono's /crack/*, mie-pref's /upload/*), and an https:// entry rendered as
// a ^https://... regex, which a forward proxy without TLS interception never
// sees (the browser sends CONNECT host:443), so yokkaichi's block let the
// tunnel through. Every name resolves through squid's own hosts file to
// 127.0.0.1, where a small origin answers: no request leaves the machine.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withStandInCategories } from "../../src/render/check/squid.js";
import { squid as squidPlatform } from "../../src/render/platforms/squid.js";
import { loadFixture, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";
import { accepting, freePort } from "../helpers/ports.js";
import { renderWith } from "../helpers/render.js";

/** each organization's clients: one loopback address in place of its networks */
const CLIENT = { komono: "127.0.18.1", yokkaichi: "127.0.24.1", "mie-pref": "127.0.1.1" } as const;
const NAMES = ["downloads.example.net", "share.example.org", "paste.example.org", "storage.example.net", "www.jma.go.jp", "leak.example.net"];
/** a cloud-wide block of an https URL with a path: the proxy cannot see the path, so the block takes the host */
const BLOCKED_URL = "https://leak.example.net/raw/abc123";

let scratch: string;
let squid: ChildProcess | undefined;
let origin: http.Server;
let proxyPort = 0;
let originPort = 0;

/** GET through the proxy from the organization's client address: the status code. */
function get(org: keyof typeof CLIENT, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: proxyPort, localAddress: CLIENT[org], method: "GET", path: url, headers: { Host: new URL(url).host }, agent: false, timeout: 5_000 });
    req.once("response", (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
    });
    req.once("timeout", () => req.destroy(new Error(`no answer for ${url} within 5 s`)));
    req.once("error", reject);
    req.end();
  });
}

/** CONNECT host:port through the proxy, as a browser opens an https tunnel: the proxy's status code. */
function connect(org: keyof typeof CLIENT, authority: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: proxyPort, localAddress: CLIENT[org], method: "CONNECT", path: authority, agent: false, timeout: 5_000 });
    req.once("connect", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.once("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once("timeout", () => req.destroy(new Error(`no answer for CONNECT ${authority} within 5 s`)));
    req.once("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "scconf-squid-run-"));
  chmodSync(scratch, 0o777); // squid drops to the proxy user before it opens its logs
  origin = http.createServer((_req, res) => res.end("origin\n"));
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
  originPort = (origin.address() as net.AddressInfo).port;
  proxyPort = await freePort();

  const inventory = loadFixture(SAMPLE_INVENTORY);
  inventory.cloud.blocklist.push({ target: BLOCKED_URL, reason: "leaked credentials", added: TEST_TODAY });
  const config = renderWith(squidPlatform, inventory, "proxy-squid-1");
  let include = withStandInCategories(config.artifacts.find((a) => a.id === "scconf-acl")!.content, scratch);
  for (const [org, address] of Object.entries(CLIENT)) {
    const line = new RegExp(`^acl scconf_src_${org} src .*$`, "m");
    expect(include, `${org} has a client ACL`).toMatch(line);
    include = include.replace(line, `acl scconf_src_${org} src ${address}/32`);
  }
  writeFileSync(path.join(scratch, "scconf.conf"), include);
  writeFileSync(path.join(scratch, "hosts"), `127.0.0.1 ${NAMES.join(" ")}\n`);
  writeFileSync(
    path.join(scratch, "squid.conf"),
    [
      "cache_effective_user proxy",
      `pid_filename ${path.join(scratch, "squid.pid")}`,
      `cache_log stdio:${path.join(scratch, "cache.log")}`,
      `access_log stdio:${path.join(scratch, "access.log")}`,
      `hosts_file ${path.join(scratch, "hosts")}`,
      "dns_nameservers 127.0.0.1", // nothing answers there: every name comes from the hosts file
      `http_port 127.0.0.1:${proxyPort}`,
      `include ${path.join(scratch, "scconf.conf")}`,
      "http_access allow all", // what squid.conf allows after the include; the include only denies
      "shutdown_lifetime 0 seconds",
      "",
    ].join("\n"),
  );
  squid = spawn("squid", ["-N", "-f", path.join(scratch, "squid.conf")], { stdio: "ignore" });
  await accepting(proxyPort, "squid", 20_000, () => (squid?.exitCode != null ? `squid exited with ${squid.exitCode}` : undefined));
}, 60_000);

afterAll(async () => {
  if (squid && squid.exitCode === null) {
    const exited = new Promise((r) => squid!.once("exit", r));
    squid.kill("SIGTERM");
    await exited;
  }
  await new Promise((r) => origin?.close(r));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("squid with the sample's URL filter", () => {
  const at = (host: string, p: string) => `http://${host}:${originPort}${p}`;

  it("a pattern ending in * blocks every URL below it (komono: downloads.example.net/crack/*)", async () => {
    expect(await get("komono", at("downloads.example.net", "/crack/anything.html"))).toBe(403);
    expect(await get("komono", at("downloads.example.net", "/crack/"))).toBe(403);
    expect(await get("komono", at("DOWNLOADS.example.net", "/crack/deep/er.zip"))).toBe(403);
  });

  it("and nothing beside it: another path of the host, and the same path for another organization", async () => {
    expect(await get("komono", at("downloads.example.net", "/other.html"))).toBe(200);
    expect(await get("komono", at("downloads.example.net", "/crackers.html"))).toBe(200);
    expect(await get("yokkaichi", at("downloads.example.net", "/crack/anything.html"))).toBe(200);
  });

  it("mie-pref: share.example.org/upload/* is blocked for mie-pref's clients only", async () => {
    expect(await get("mie-pref", at("share.example.org", "/upload/file.bin"))).toBe(403);
    expect(await get("mie-pref", at("share.example.org", "/download/file.bin"))).toBe(200);
    expect(await get("komono", at("share.example.org", "/upload/file.bin"))).toBe(200);
  });

  it("an https:// entry blocks the tunnel to its host (yokkaichi: https://paste.example.org/*), on any port", async () => {
    expect(await connect("yokkaichi", "paste.example.org:443")).toBe(403);
    expect(await connect("yokkaichi", `paste.example.org:${originPort}`)).toBe(403);
  });

  it("and no other tunnel: another host for yokkaichi, the same host for another organization", async () => {
    expect(await connect("yokkaichi", `www.jma.go.jp:${originPort}`)).toBe(200);
    expect(await connect("komono", `paste.example.org:${originPort}`)).toBe(200);
  });

  it("a blocked domain blocks its tunnel too (yokkaichi: storage.example.net)", async () => {
    expect(await connect("yokkaichi", `storage.example.net:${originPort}`)).toBe(403);
    expect(await get("yokkaichi", at("storage.example.net", "/yokkaichi-shared/a.txt"))).toBe(403);
  });

  it("a cloud-wide block of an https URL with a path blocks the tunnel to its host, for every organization", async () => {
    for (const org of Object.keys(CLIENT) as Array<keyof typeof CLIENT>) expect(await connect(org, `leak.example.net:${originPort}`), org).toBe(403);
  });
});
