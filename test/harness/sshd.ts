// A real OpenSSH server for tests, one per test file: its own host key,
// client key and config in a temp dir, listening on 127.0.0.1 only. Used by
// the file-device tests and, with a Subsystem line in extraConfig, for NETCONF.
// A thin wrapper over the lab's sshd (src/workflow/lab/sshd.ts), as a child
// of the test process. See /work/shared/docs/lab-notes.md.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { launchSshd } from "../../src/workflow/lab/sshd.js";

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

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "scconf-sshd-"));
  try {
    const s = await launchSshd({
      dir,
      ...(options.user ? { user: options.user } : {}),
      ...(options.extraConfig ? { extraConfig: options.extraConfig } : {}),
      ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
    });
    return {
      port: s.port,
      hostKeyFingerprint: s.hostKeyFingerprint,
      clientKeyPath: s.clientKeyPath,
      user: s.user,
      dir,
      log: () => s.process.log(),
      stop: async () => {
        await s.process.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
