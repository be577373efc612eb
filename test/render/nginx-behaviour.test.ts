// The rendered nginx configuration of the sample, run by the real nginx on
// 127.0.0.1 (ports rewritten, certificates of the checker's harness): a
// request for a name no organization maps is refused on both ports, and a
// mapped name still gets its own answer. Found by trying: without a default
// server nginx answered every unknown Host as the first organization's site
// (Asahi's), over HTTPS from its origin and over HTTP with a redirect to it.
// No request is ever proxied: only the redirect and the refusals are asked for,
// so no traffic leaves 127.0.0.1.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nginxChecker } from "../../src/render/check/nginx.js";
import { nginx as nginxPlatform } from "../../src/render/platforms/nginx.js";
import { loadFixture, SAMPLE_INVENTORY } from "../helpers/inventory.js";
import { accepting, freePort } from "../helpers/ports.js";
import { renderWith } from "../helpers/render.js";

const KNOWN = "www.asahi.lg.example.jp";
const UNKNOWN = "unknown-host.example.invalid";
let scratch: string;
let server: ChildProcess | undefined;
let http = 0;
let https = 0;

/** One raw request; the reply's text, or "" when the server closes without a word. */
function exchange(socket: net.Socket | tls.TLSSocket, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = "";
    socket.setTimeout(5_000, () => socket.destroy(new Error("no reply within 5 s")));
    socket.on("data", (d: Buffer) => (reply += d.toString("latin1")));
    socket.once("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" ? resolve(reply) : reject(e)));
    socket.once("close", () => resolve(reply));
    socket.write(request);
  });
}

const plain = (host: string | undefined) =>
  exchange(net.connect(http, "127.0.0.1"), `GET /path HTTP/1.${host ? 1 : 0}\r\n${host ? `Host: ${host}\r\n` : ""}Connection: close\r\n\r\n`);

/** A TLS handshake with this SNI (none when undefined): the certificate's subject, or the handshake's error. */
function handshake(servername: string | undefined): Promise<{ ok: true; socket: tls.TLSSocket } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port: https, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
    socket.setTimeout(5_000, () => socket.destroy(new Error("handshake timed out")));
    socket.once("secureConnect", () => resolve({ ok: true, socket }));
    socket.once("error", (e) => resolve({ ok: false, error: e.message }));
  });
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "scconf-nginx-run-"));
  const config = renderWith(nginxPlatform, loadFixture(SAMPLE_INVENTORY), "rp-nginx-1");
  // the checker's harness: certificates and log paths moved under its prefix
  const outcomes = await nginxChecker.check(config, scratch);
  expect(outcomes.every((o) => o.ok), outcomes.map((o) => o.output).join("\n")).toBe(true);
  [http, https] = await Promise.all([freePort(), freePort()]);
  const prefix = path.join(scratch, "nginx");
  for (const a of config.artifacts) {
    const file = path.join(prefix, a.id);
    const text = readFileSync(file, "utf8")
      .replace(/^\s*listen \[::\]:\d+[^;]*;\n/gm, "")
      .replace(/listen 443 /g, `listen 127.0.0.1:${https} `)
      .replace(/listen 80([ ;])/g, `listen 127.0.0.1:${http}$1`);
    expect(text).toContain(`127.0.0.1:${https}`);
    writeFileSync(file, text);
  }
  server = spawn("nginx", ["-p", `${prefix}/`, "-c", path.join(prefix, "nginx.conf"), "-e", path.join(prefix, "logs/error.log"), "-g", "daemon off;"], { stdio: "ignore" });
  await Promise.all([accepting(http, "nginx", 10_000), accepting(https, "nginx", 10_000)]);
}, 60_000);

afterAll(() => {
  server?.kill("SIGTERM");
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("nginx with the sample's reverse-proxy mappings", () => {
  it("closes a plain HTTP request for an unknown Host, or without one, with no answer", async () => {
    expect(await plain(UNKNOWN)).toBe("");
    expect(await plain(undefined)).toBe("");
  });

  it("still redirects a mapped name to its own HTTPS site", async () => {
    const reply = await plain(KNOWN);
    expect(reply).toMatch(/^HTTP\/1\.1 301 /);
    expect(reply).toContain(`Location: https://${KNOWN}/path`);
  });

  it("refuses the TLS handshake for an unknown name and without a name: no organization's certificate is shown", async () => {
    for (const name of [UNKNOWN, undefined]) {
      const r = await handshake(name);
      expect(r.ok, `SNI ${name ?? "(none)"}`).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/unrecognized name|alert|handshake/i);
    }
  });

  it("answers 421 to a request whose Host is unknown on a connection made for a mapped name", async () => {
    const r = await handshake(KNOWN);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const reply = await exchange(r.socket, `GET / HTTP/1.1\r\nHost: ${UNKNOWN}\r\nConnection: close\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 421 /);
  });
});
