// Plant secrets where a device or the operator's environment holds them (a
// password in an env var used for device auth, secret lines in a device's
// current artifact), run the flows that write things (plan files, plan JSON,
// apply, dry-run records, backup, generations, procedure), then scan
// everything the tool wrote — every object of the backups repository, the
// plan and record files, the procedure, the audit log, stdout and stderr —
// for the planted values. None may appear.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSshd, type Sshd } from "../harness/sshd.js";
import { DEVICE, makeFaultProject, scconf, type CliResult, type FaultProject } from "./project.js";

const run = promisify(execFile);
const plant = (label: string) => `${label}${randomBytes(12).toString("hex")}`;
const PASSWORD = plant("PlantedPw");
const ARTIFACT_SECRET = plant("PlantedKey");
const ARTIFACT_TOKEN = plant("PlantedTok");
const PLANTED = [PASSWORD, ARTIFACT_SECRET, ARTIFACT_TOKEN];

let sshd: Sshd;
let p: FaultProject;
/** "<secret>… in <where>", filled by the first test */
const leaks: string[] = [];

beforeAll(async () => {
  sshd = await startSshd();
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  if (p) await rm(p.dir, { recursive: true, force: true });
});

/** Every file under dir (not following links), relative paths. */
async function walk(dir: string, skip: (rel: string) => boolean, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(path.join(dir, rel)).catch(() => [] as string[])) {
    const r = path.join(rel, name);
    if (skip(r)) continue;
    const st = await stat(path.join(dir, r));
    if (st.isDirectory()) out.push(...(await walk(dir, skip, r)));
    else out.push(r);
  }
  return out;
}

describe("a secrets scan over everything scconf writes", () => {
  it("finds none of the planted values in the backups (every object), audit, records, procedure, apply/backup output", async () => {
    p = await makeFaultProject({
      device: ({ commandLog }) => ({
        root: "dev-local",
        paths: { unbound: "/etc/unbound/scconf.conf" },
        stateDir: "/state",
        checkCommand: `echo check >> ${commandLog}`,
        reloadCommand: "true",
      }),
    });
    // the device's current artifact, written by hand before scconf managed it, holds secrets
    const file = path.join(p.dir, "dev-local/etc/unbound/scconf.conf");
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `# unbound: written by hand\nserver:\n  # control secret: ${ARTIFACT_SECRET}\n  # api_key = ${ARTIFACT_TOKEN}\n`);
    // a second device authenticates with a password from the environment (the lab sshd refuses passwords: it stays unreachable)
    const devicesFile = path.join(p.inventory, "devices.yaml");
    const devices = await readFile(devicesFile, "utf8");
    const pwDevice = JSON.stringify({
      name: "rp-nginx", platform: "nginx", kinds: ["reverseProxy"], transport: "ssh", address: "127.0.0.1", port: sshd.port, user: sshd.user,
      auth: { method: "password", passwordEnv: "SCCONF_PLANTED_PW" }, hostKey: sshd.hostKeyFingerprint, stateDir: `${p.dir}/pw-state`, paths: { nginx: `${p.dir}/pw/nginx.conf` },
    });
    await writeFile(devicesFile, devices.replace(/^ {2}- \{ name: rp-nginx,[^\n]*$/m, `  - ${pwDevice}`));
    const env = { SCCONF_PLANTED_PW: PASSWORD };

    const outputs: Array<{ what: string; r: CliResult }> = [];
    const cli = async (args: string[]) => {
      const r = await scconf(p, args, { env });
      outputs.push({ what: args.join(" "), r });
      return r;
    };
    const planFile = path.join(p.dir, "plan.json");
    await cli(["plan", "-d", DEVICE, "rp-nginx", "--out", path.join(p.dir, "plan-both.json")]);
    await cli(["plan", "--json", "-d", DEVICE, "rp-nginx"]);
    const planned = await cli(["plan", "-d", DEVICE, "--out", planFile]);
    expect(planned.code, planned.stderr).toBe(2);
    await cli(["procedure", planFile, "-o", path.join(p.dir, "procedure.md")]);
    await cli(["apply", planFile, "--yes", "--dry-run", "--record", path.join(p.dir, "rehearsal.json")]);
    await cli(["apply", planFile, "--yes", "--record", path.join(p.dir, "applied.json")]);
    await cli(["apply", "--yes", "-d", "rp-nginx"]);
    await cli(["backup", "-d", DEVICE, "rp-nginx"]);
    await cli(["generations", DEVICE, "--all", "--json"]);
    // a device without planted secrets, so that the store holds real generations to scan
    const clean = await cli(["apply", "--yes", "-d", "fw-srx"]);
    expect(clean.code, clean.stderr).toBe(0);

    // everything the tool wrote: the project minus the inventory and the device itself, plus every git object of the store
    const written = await walk(p.dir, (rel) => rel === "inventory" || rel === "dev-local" || rel.startsWith(`backups${path.sep}.git`));
    const texts: Array<{ where: string; text: string }> = [];
    for (const rel of written) texts.push({ where: rel, text: await readFile(path.join(p.dir, rel), "latin1") });
    const objects = await run("git", ["-C", p.backups, "cat-file", "--batch-all-objects", "--batch"], { maxBuffer: 256 * 1024 * 1024, encoding: "latin1" }).catch(() => ({ stdout: "" }));
    texts.push({ where: "backups: every git object", text: String(objects.stdout) });
    for (const o of outputs) texts.push({ where: `stdout+stderr of scconf ${o.what}`, text: `${o.r.stdout}\n${o.r.stderr}` });
    expect(texts.some((t) => t.where.includes("procedure.md"))).toBe(true);
    expect(texts.some((t) => t.where === path.join("backups", "audit.jsonl"))).toBe(true);

    for (const { where, text } of texts) {
      for (const secret of PLANTED) if (text.includes(secret)) leaks.push(`${secret.slice(0, 12)}… in ${where}`);
    }
    // the device whose current artifact holds secrets still takes the change (which holds none): its
    // before-state is kept with the flagged lines withheld, never with the values (the detector fails closed)
    const applied = outputs.find((o) => o.what.startsWith(`apply ${planFile} --yes --record`))!;
    expect(applied.r.code, applied.r.stderr).toBe(0);
    expect(String(objects.stdout)).toContain("<scconf: line withheld from this backup: it looks like a");
    const planOutput = (l: string) => /in (plan[^ ]*\.json|stdout\+stderr of scconf plan )/.test(l);
    expect(leaks.filter((l) => !planOutput(l))).toEqual([]);
  }, 180_000);

  // the plan's diff is built from redacted text on both sides (src/plan/build.ts displayDiff)
  it("finds none of the planted values in plan files and plan output", () => {
    expect(leaks).toEqual([]);
  });
});
