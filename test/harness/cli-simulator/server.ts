// The SSH side of the CLI simulators (test-only): an ssh2 Server on
// 127.0.0.1 with its own ed25519 host key, public key authentication with a
// test client key, and a pty shell per session whose input is cut into lines
// (echoed as a terminal does) and Ctrl-D. The CLI behaviour is in junos.ts
// and fortios.ts.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import ssh2 from "ssh2";
import type { ServerChannel } from "ssh2";

const run = promisify(execFile);

/** One terminal: what a simulated CLI reads and writes. */
export interface Terminal {
  readonly user: string;
  /** a number per session, for lock holder messages */
  readonly id: number;
  write(text: string): void;
  /** ends the session (the device closed it) */
  close(): void;
  /** true: the next input character is an answer to a (y/n) question, not a line */
  rawChar: boolean;
}

export interface CliHandler {
  /** the session opened: print the banner and the first prompt */
  start(): void;
  line(text: string): void;
  ctrlD(): void;
  char(c: string): void;
  /** the session ended, by either side */
  closed(): void;
}

export interface CliServer {
  port: number;
  hostKeyFingerprint: string;
  clientKeyPath: string;
  /** closes every session: a reboot */
  dropSessions(): void;
  stop(): Promise<void>;
}

export async function startCliServer(makeHandler: (t: Terminal) => CliHandler): Promise<CliServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "scconf-clisim-"));
  const hostKey = path.join(dir, "host_ed25519");
  const clientKeyPath = path.join(dir, "client_ed25519");
  await Promise.all([
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "scconf-clisim-host", "-f", hostKey]),
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "scconf-clisim-client", "-f", clientKeyPath]),
  ]);
  const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`]);
  const hostKeyFingerprint = /SHA256:[A-Za-z0-9+/]{43}/.exec(stdout)?.[0];
  if (!hostKeyFingerprint) throw new Error(`no fingerprint in: ${stdout}`);
  const allowed = ssh2.utils.parseKey(await readFile(`${clientKeyPath}.pub`));
  if (allowed instanceof Error) throw allowed;
  const channels = new Set<ServerChannel>();
  let sessions = 0;

  const server = new ssh2.Server({ hostKeys: [await readFile(hostKey)] }, (client) => {
    let user = "";
    // a terminal answers in small writes: no Nagle delay per prompt
    // (ssh2's server Connection has setNoDelay; @types/ssh2 declares it on Client only)
    (client as unknown as { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
    client.on("error", () => {
      // a client that goes away mid-handshake
    });
    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey" || ctx.key.algo !== allowed.type || !ctx.key.data.equals(allowed.getPublicSSH())) return ctx.reject(["publickey"]);
      if (ctx.signature && ctx.blob && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(["publickey"]);
      user = ctx.username;
      ctx.accept();
    });
    client.on("session", (accept) => {
      const session = accept();
      session.on("pty", (acceptPty) => acceptPty?.());
      session.on("shell", (acceptShell) => {
        const channel = acceptShell();
        channels.add(channel);
        let ended = false;
        const terminal: Terminal = {
          user,
          id: ++sessions,
          rawChar: false,
          write: (text) => {
            if (!ended) channel.write(text.replace(/\r?\n/g, "\r\n"));
          },
          close: () => {
            if (ended) return;
            channel.end();
            channel.close();
          },
        };
        const handler = makeHandler(terminal);
        let line = "";
        let lastCr = false;
        channel.on("data", (chunk: Buffer) => {
          for (const c of chunk.toString("utf8")) {
            if (ended) return;
            if (terminal.rawChar) {
              terminal.rawChar = false;
              handler.char(c);
              continue;
            }
            if (c === "\n" && lastCr) {
              lastCr = false;
              continue;
            }
            lastCr = c === "\r";
            if (c === "\r" || c === "\n") {
              const text = line;
              line = "";
              terminal.write(`${text}\n`);
              handler.line(text);
            } else if (c === "\u0004" && line === "") handler.ctrlD();
            else line += c;
          }
        });
        channel.on("close", () => {
          ended = true;
          channels.delete(channel);
          handler.closed();
        });
        handler.start();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    hostKeyFingerprint,
    clientKeyPath,
    dropSessions: () => {
      for (const c of channels) {
        c.end();
        c.close();
      }
    },
    stop: async () => {
      for (const c of channels) c.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
