// N OpenSSH servers on 127.0.0.1 that stand for N file devices, for the apply
// benchmark. One sshd per device, because the file driver keeps its lock and
// staging directory in /var/lib/scconf on the device and neither the
// inventory nor createDriver can change that path: two devices behind one
// sshd would share one lock. Each sshd runs in a private mount namespace with
// an overlay over /var/lib (as test/e2e/helpers.ts does), so that each
// device's /var/lib/scconf is its own and the host's /var/lib is untouched.
// All servers share one host key and one client key (generated once).
// See /work/shared/docs/lab-notes.md ("OpenSSH sshd as a test device").
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Starts `count` sshd; returns their ports, the shared keys and stop(). */
export async function startSshdFarm(dir, count) {
  // the same sshd configuration as the lab's (loaded here: dist/ is built by run.mjs first)
  const { sshdConfigText } = await import("../../dist/workflow/lab/sshd.js");
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }); // shared with other sshd: never removed
  mkdirSync(dir, { recursive: true });
  const user = os.userInfo().username;
  const hostKey = join(dir, "host_ed25519");
  const clientKey = join(dir, "client_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "bench-host", "-f", hostKey]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "bench-client", "-f", clientKey]);
  const authorizedKeys = join(dir, "authorized_keys");
  writeFileSync(authorizedKeys, readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  const fp = /SHA256:[A-Za-z0-9+/]{43}/.exec(execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`], { encoding: "utf8" }))?.[0];
  if (!fp) throw new Error("cannot read the host key fingerprint");

  const servers = [];
  const children = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    for (let i = 0; i < count; i++) {
      const sdir = join(dir, `sshd-${String(i).padStart(2, "0")}`);
      mkdirSync(join(sdir, "upper"), { recursive: true });
      mkdirSync(join(sdir, "work"), { recursive: true });
      mkdirSync(join(sdir, "home"), { recursive: true });
      const config = join(sdir, "sshd_config");
      writeFileSync(config, sshdConfigText({ hostKey, pidFile: join(sdir, "sshd.pid"), authorizedKeys, user, home: join(sdir, "home") }));
      let started = false;
      for (let attempt = 1; attempt <= 5 && !started; attempt++) {
        const port = await freePort();
        const output = [];
        // unshare (no --fork) and sh both exec: the child's pid is sshd's
        const child = spawn(
          "unshare",
          [
            "--mount", "--propagation", "private", "sh", "-c",
            'mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$1,workdir=$2" /var/lib && shift 2 && exec /usr/sbin/sshd "$@"',
            "sh", join(sdir, "upper"), join(sdir, "work"), "-D", "-e", "-f", config, "-p", String(port),
          ],
          { stdio: ["ignore", "ignore", "pipe"] },
        );
        child.stderr.on("data", (c) => output.push(c.toString("utf8")));
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline && child.exitCode === null) {
          if (await accepts(port)) {
            started = true;
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        if (started) {
          children.push(child);
          servers.push({ port, stateDir: join(sdir, "upper", "scconf") });
        } else {
          await stopChild(child);
          if (attempt === 5 || !/Address already in use|Cannot bind/.test(output.join(""))) throw new Error(`sshd did not start: ${output.join("")}`);
        }
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { servers, user, clientKey, hostKeyFingerprint: fp, stop };
}
