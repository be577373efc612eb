// A real NETCONF device: netconfd (yuma123) behind its own OpenSSH sshd, on
// 127.0.0.1 only. The lab's stand-in for NETCONF devices, and the test
// servers' base (test/harness/netconfd.ts). See lab-notes.md ("netconfd").
import { access, chmod, copyFile, mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sleep, spawnServer, type ServerProcess } from "./process.js";
import { launchSshd, type SshdInstance } from "./sshd.js";

export interface NetconfdSpec {
  /** an existing directory for the startup file, socket, home and logs */
  dir: string;
  /** the YANG module to load (absolute, or relative to the working directory) */
  module: string;
  /** initial running configuration: a <config> document (default: empty) */
  startupXml?: string;
  readyTimeoutMs?: number;
  /** survive this process (the lab) instead of being its child (tests) */
  detached?: boolean;
}

export interface NetconfdInstance {
  sshd: SshdInstance;
  netconfd: ServerProcess;
  /** the file netconfd writes running into on every commit */
  startupFile: string;
  logFile: string;
}

export const EMPTY_CONFIG = '<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"/>\n';

export async function launchNetconfd(spec: NetconfdSpec): Promise<NetconfdInstance> {
  const { dir } = spec;
  const home = path.join(dir, "home");
  const sshDir = path.join(dir, "sshd");
  const sock = path.join(dir, "ncxserver.sock");
  const startupFile = path.join(dir, "startup.xml");
  const logFile = path.join(dir, "netconfd.log");
  const wrapper = path.join(dir, "netconf-subsystem.sh");
  await mkdir(home, { mode: 0o700 });
  await mkdir(sshDir, { mode: 0o700 });
  await writeFile(startupFile, spec.startupXml ?? EMPTY_CONFIG);
  // a pristine copy: every commit rewrites the startup file
  await copyFile(startupFile, path.join(dir, "startup.pristine.xml"));
  // netconf-subsystem picks the netconfd socket by the SSH server port
  // (PORT@SOCK, PORT compared with $SSH_CONNECTION), and the sshd chooses its
  // port itself: the wrapper reads the port when the session starts.
  await writeFile(wrapper, `#!/bin/sh\nexec /usr/sbin/netconf-subsystem "--ncxserver-sockname=\${SSH_CONNECTION##* }@${sock}"\n`);
  await chmod(wrapper, 0o755);
  const sshd = await launchSshd({ dir: sshDir, extraConfig: [`Subsystem netconf ${wrapper}`], ...(spec.detached ? { detached: true } : {}) });
  try {
    const args = [
      `--module=${path.resolve(spec.module)}`,
      `--startup=${startupFile}`,
      "--target=candidate",
      "--with-startup=false",
      `--port=${sshd.port}`,
      `--ncxserver-sockname=${sock}`,
      `--superuser=${sshd.user}`,
      `--log=${logFile}`,
      "--log-level=info",
    ];
    // netconfd writes ~/.yuma in the passwd home and ignores $HOME: give it a
    // private mount namespace with a directory bound over that home. unshare
    // (without --fork) and sh both exec, so the pid is netconfd's.
    const netconfd = spawnServer(
      "unshare",
      ["--mount", "--propagation", "private", "sh", "-c", 'mount --bind "$1" "$2" && shift 2 && exec netconfd "$@"', "sh", home, os.userInfo().homedir, ...args],
      spec.detached ? { detached: true, logFile: path.join(dir, "netconfd.out") } : {},
    );
    try {
      await waitForSocket(netconfd, sock, spec.readyTimeoutMs ?? 10_000);
    } catch (err) {
      await netconfd.stop();
      throw err;
    }
    return { sshd, netconfd, startupFile, logFile };
  } catch (err) {
    await sshd.process.stop();
    throw err;
  }
}

async function waitForSocket(server: ServerProcess, sock: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.running()) throw new Error(`netconfd exited: ${server.log()}`);
    try {
      await access(sock);
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`netconfd made no socket within ${timeoutMs} ms: ${server.log()}`);
}
