// A real OpenSSH sshd on 127.0.0.1 with its own host key and client key: the
// stand-in for file devices in the lab, and the test servers' base
// (test/harness/sshd.ts). See lab-notes.md ("OpenSSH sshd as a test device").
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { accepts, freePort, sleep, spawnServer, type ServerProcess } from "./process.js";

const run = promisify(execFile);
const SSHD = "/usr/sbin/sshd";

export interface SshdSpec {
  /** an existing directory for keys, config, pid file and log */
  dir: string;
  /** the account the client logs in as (default: the current user) */
  user?: string;
  /** more sshd_config lines, e.g. `Subsystem netconf ...` */
  extraConfig?: string[];
  /** how long to wait for the port (default 10 s) */
  readyTimeoutMs?: number;
  /** survive this process (the lab) instead of being its child (tests) */
  detached?: boolean;
}

export interface SshdInstance {
  port: number;
  /** the host key as OpenSSH prints it (`SHA256:...`), to pin in the inventory */
  hostKeyFingerprint: string;
  /** an ed25519 private key (no passphrase) the server accepts for `user` */
  clientKeyPath: string;
  user: string;
  dir: string;
  process: ServerProcess;
}

export async function launchSshd(spec: SshdSpec): Promise<SshdInstance> {
  const user = spec.user ?? os.userInfo().username;
  const { dir } = spec;
  // shared by every sshd on the machine: create when missing, never remove
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const hostKey = path.join(dir, "host_ed25519");
  const clientKeyPath = path.join(dir, "client_ed25519");
  await Promise.all([
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "scconf-lab-host", "-f", hostKey]),
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "scconf-lab-client", "-f", clientKeyPath]),
  ]);
  const authorizedKeys = path.join(dir, "authorized_keys");
  await writeFile(authorizedKeys, await readFile(`${clientKeyPath}.pub`), { mode: 0o600 });
  const home = path.join(dir, "home");
  await mkdir(home, { recursive: true });
  const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`]);
  const hostKeyFingerprint = /SHA256:[A-Za-z0-9+/]{43}/.exec(stdout)?.[0];
  if (!hostKeyFingerprint) throw new Error(`cannot read the host key fingerprint from: ${stdout}`);

  const config = path.join(dir, "sshd_config");
  await writeFile(config, sshdConfigText({ hostKey, pidFile: path.join(dir, "sshd.pid"), authorizedKeys, user, home, extra: spec.extraConfig ?? [] }));

  const readyTimeoutMs = spec.readyTimeoutMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const logFile = path.join(dir, `sshd-${port}.log`);
    const server = spawnServer(SSHD, ["-D", "-e", "-f", config, "-p", String(port)], spec.detached ? { detached: true, logFile } : {});
    const ready = await waitForPort(server, port, readyTimeoutMs);
    if (ready) return { port, hostKeyFingerprint, clientKeyPath, user, dir, process: server };
    await server.stop();
    const output = server.log();
    // another process took the port between our probe and sshd's bind: try another
    if (!/Address already in use|Cannot bind any address/.test(output) || attempt >= 5) {
      throw new Error(`sshd did not start on 127.0.0.1:${port}: ${output}`);
    }
  }
}

async function waitForPort(server: ServerProcess, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.running()) return false;
    if (await accepts(port)) return true;
    await sleep(50);
  }
  return false;
}

/**
 * The configuration of a stand-in sshd on 127.0.0.1: its own host key, key
 * authentication only, SFTP, room for many parallel sessions. Shared by the
 * lab, the test harness and the benchmark.
 */
export function sshdConfigText(o: { hostKey: string; pidFile: string; authorizedKeys: string; user: string; home: string; extra?: readonly string[] }): string {
  return [
    "ListenAddress 127.0.0.1",
    `HostKey ${o.hostKey}`,
    `PidFile ${o.pidFile}`,
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    // the keys may live under the world-writable /tmp
    "StrictModes no",
    "UsePAM no",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    `AllowUsers ${o.user}`,
    "Subsystem sftp internal-sftp",
    // apply runs up to 8 devices at once, each with a probe connection
    "MaxStartups 50",
    "MaxSessions 50",
    // Every command and subsystem runs through the account's shell, which reads
    // $HOME/.bashrc first. The account is this machine's (root here, whose
    // .bashrc runs `pyenv init`: 0.8 s of CPU per command, half of the test
    // suite's time); a stand-in device starts its commands from a home of its own.
    `SetEnv HOME=${o.home}`,
    ...(o.extra ?? []),
    "",
  ].join("\n");
}
