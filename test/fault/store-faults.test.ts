// A backups store that a record would fail on (not writable, corrupt, not a
// repository): apply refuses with exit 1 before it touches any device. The
// device sits behind a proxy that counts connections: "not touched" means
// not even connected to, when the plan comes from a file.
import { execFile } from "node:child_process";
import { chmod, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenerationStore } from "../../src/backup/store.js";
import { startSshd, type Sshd } from "../harness/sshd.js";
import { startTcpProxy, type TcpProxy } from "../harness/tcp-proxy.js";
import { readOrNull } from "./helpers.js";
import { DEVICE, makeFaultProject, scconf, show, type FaultProject } from "./project.js";

const git = promisify(execFile);
const OLD = "# unbound: written by hand before scconf\nserver:\n";
let sshd: Sshd;
let proxy: TcpProxy;
const projects: FaultProject[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  proxy = await startTcpProxy({ port: sshd.port });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await sshd?.stop();
  for (const p of projects) {
    await chmod(path.join(p.backups, ".git/objects"), 0o755).catch(() => undefined);
    await rm(p.dir, { recursive: true, force: true });
  }
});

async function project(): Promise<FaultProject> {
  const p = await makeFaultProject({
    seed: OLD,
    device: {
      transport: "ssh", address: "127.0.0.1", port: proxy.port, user: sshd.user,
      auth: { method: "key", keyFile: sshd.clientKeyPath }, hostKey: sshd.hostKeyFingerprint,
      checkCommand: "test -s {stage}/unbound",
      reloadCommand: "true",
    },
  });
  projects.push(p);
  return p;
}

interface Breakage {
  name: string;
  /** the message apply must give */
  message: RegExp;
  break: (p: FaultProject) => Promise<void>;
}

const BREAKAGES: Breakage[] = [
  {
    name: "objects directory read-only",
    message: /backup store is not writable: .*objects is read-only/,
    break: async (p) => {
      await GenerationStore.open(p.backups, { keep: 10 });
      await chmod(path.join(p.backups, ".git/objects"), 0o555);
    },
  },
  {
    name: "HEAD commit object missing (corrupt)",
    message: /backup store .* is corrupt/,
    break: async (p) => {
      await GenerationStore.open(p.backups, { keep: 10 });
      const head = (await git("git", ["-C", p.backups, "rev-parse", "HEAD"])).stdout.trim();
      await rm(path.join(p.backups, ".git/objects", head.slice(0, 2), head.slice(2)));
    },
  },
  {
    name: "not a git repository",
    message: /backup store .* is not a git repository/,
    break: async (p) => {
      await rm(p.backups, { recursive: true, force: true });
      await mkdir(p.backups, { recursive: true });
      await writeFile(path.join(p.backups, "notes.txt"), "someone's files\n");
    },
  },
];

async function untouched(p: FaultProject): Promise<void> {
  expect(await readOrNull(p.file)).toBe(OLD);
  const state = await readdir(p.stateDir).catch(() => [] as string[]);
  expect(state.filter((n) => ["lock", "stage", "pending.json"].includes(n))).toEqual([]);
}

describe("apply refuses a store it could not record into, before touching any device", () => {
  for (const b of BREAKAGES) {
    it(`${b.name}: apply of a saved plan exits 1 without connecting to the device`, async () => {
      const p = await project();
      const planFile = path.join(p.dir, "plan.json");
      const planned = await scconf(p, ["plan", "-d", DEVICE, "--out", planFile]);
      expect(planned.code, show(planned)).toBe(2);
      await b.break(p);
      const before = proxy.stats.connections;
      const r = await scconf(p, ["apply", planFile, "--yes"]);
      expect(r.code, show(r)).toBe(1);
      expect(r.stderr).toMatch(b.message);
      expect(proxy.stats.connections - before, "connections to the device").toBe(0);
      await untouched(p);
    }, 60_000);
  }

  it("read-only store: apply without a plan file exits 1 and leaves the device untouched", async () => {
    const p = await project();
    await BREAKAGES[0]!.break(p);
    const before = proxy.stats.connections;
    const r = await scconf(p, ["apply", "--yes", "-d", DEVICE]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toMatch(BREAKAGES[0]!.message);
    expect(proxy.stats.connections - before, "connections to the device").toBe(0);
    await untouched(p);
  }, 60_000);
});
