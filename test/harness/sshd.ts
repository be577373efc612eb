// A real OpenSSH server for tests, one per test file: its own host key,
// client key and config in a temp dir, listening on 127.0.0.1 only. Used by
// the file-device tests and, with a Subsystem line in extraConfig, for NETCONF.
// See /work/shared/docs/lab-notes.md ("OpenSSH sshd as a test device").
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface SshdOptions {
  /** more sshd_config lines, e.g. `Subsystem netconf ...` */
  extraConfig?: string[];
  /** the account the client logs in as (default: the current user) */
  user?: string;
  /** how long to wait for the port to accept connections (default 10 s) */
  readyTimeoutMs?: number;
}

export interface Sshd {
  port: number;
  /** the host key as OpenSSH prints it (`SHA256:...`), from ssh-keygen -l */
  hostKeyFingerprint: string;
  /** an ed25519 private key (no passphrase) that the server accepts for `user` */
  clientKeyPath: string;
  user: string;
  /** the temp dir holding keys, config, pid file and log */
  dir: string;
  /** what sshd printed so far (it runs with -e), for failing tests */
  log(): string;
  /** kills this sshd only and removes its temp dir */
  stop(): Promise<void>;
}

const SSHD = "/usr/sbin/sshd";

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const user = options.user ?? os.userInfo().username;
  // shared by every sshd on the machine: create when missing, never remove
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(path.join(os.tmpdir(), "scconf-sshd-"));
  try {
    const hostKey = path.join(dir, "host_ed25519");
    const clientKeyPath = path.join(dir, "client_ed25519");
    await Promise.all([
      run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "scconf-test-host", "-f", hostKey]),
      run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "scconf-test-client", "-f", clientKeyPath]),
    ]);
    const authorizedKeys = path.join(dir, "authorized_keys");
    await writeFile(authorizedKeys, await readFile(`${clientKeyPath}.pub`), { mode: 0o600 });
    const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`]);
    const hostKeyFingerprint = /SHA256:[A-Za-z0-9+/]{43}/.exec(stdout)?.[0];
    if (!hostKeyFingerprint) throw new Error(`cannot read the host key fingerprint from: ${stdout}`);

    const config = path.join(dir, "sshd_config");
    await writeFile(
      config,
      [
        "ListenAddress 127.0.0.1",
        `HostKey ${hostKey}`,
        `PidFile ${path.join(dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        // the keys live under the world-writable /tmp
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        `AllowUsers ${user}`,
        "Subsystem sftp internal-sftp",
        ...(options.extraConfig ?? []),
        "",
      ].join("\n"),
    );

    const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await launch(config, port, readyTimeoutMs);
      if ("child" in started) {
        const { child, output } = started;
        return {
          port,
          hostKeyFingerprint,
          clientKeyPath,
          user,
          dir,
          log: () => output.join(""),
          stop: async () => {
            await stopChild(child);
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      // another process took the port between our probe and sshd's bind: try another
      if (!started.portTaken || attempt >= 5) throw new Error(`sshd did not start: ${started.output}`);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

type Launch = { child: ChildProcess; output: string[] } | { portTaken: boolean; output: string };

async function launch(config: string, port: number, readyTimeoutMs: number): Promise<Launch> {
  const child = spawn(SSHD, ["-D", "-e", "-f", config, "-p", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) {
      const text = output.join("");
      return { portTaken: /Address already in use|Cannot bind any address/.test(text), output: text };
    }
    if (await accepts(port)) return { child, output };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stopChild(child);
  return { portTaken: false, output: `not accepting on 127.0.0.1:${port} after ${readyTimeoutMs} ms: ${output.join("")}` };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Kills exactly this child (sshd -D does not fork the listener) and waits for it. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
}
