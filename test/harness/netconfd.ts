// A real NETCONF device for tests: netconfd (yuma123) behind a real OpenSSH
// sshd, one per test file, on 127.0.0.1 only. A thin wrapper over the lab's
// netconfd (src/workflow/lab/netconfd.ts), as a child of the test process.
// See /work/shared/docs/lab-notes.md ("netconfd (yuma123) as a NETCONF device").
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { launchNetconfd } from "../../src/workflow/lab/netconfd.js";

export interface NetconfdOptions {
  /** the YANG module to load, relative to the repository root or absolute */
  module: string;
  /** initial running configuration: a <config> document (default: empty) */
  startupXml?: string;
  /** ms to wait for netconfd's socket (default 10 s) */
  readyTimeoutMs?: number;
}

export interface Netconfd {
  /** the SSH port */
  port: number;
  hostKeyFingerprint: string;
  clientKeyPath: string;
  user: string;
  /** netconfd's process id (tests may SIGSTOP it to make the device unresponsive) */
  pid: number;
  /** the file netconfd writes running into on every commit */
  startupFile: string;
  /** netconfd's log so far, for failing tests */
  log(): Promise<string>;
  /** stops this netconfd and this sshd only, and removes their temp dirs */
  stop(): Promise<void>;
}

export async function startNetconfd(options: NetconfdOptions): Promise<Netconfd> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "scconf-netconfd-"));
  try {
    const n = await launchNetconfd({
      dir,
      module: options.module,
      ...(options.startupXml !== undefined ? { startupXml: options.startupXml } : {}),
      ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
    });
    return {
      port: n.sshd.port,
      pid: n.netconfd.pid,
      hostKeyFingerprint: n.sshd.hostKeyFingerprint,
      clientKeyPath: n.sshd.clientKeyPath,
      user: n.sshd.user,
      startupFile: n.startupFile,
      log: () => readFile(n.logFile, "utf8").catch(() => ""),
      stop: async () => {
        await n.netconfd.stop();
        await n.sshd.process.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
