// The CI examples are run, not just read: every scconf command of the GitHub
// Actions workflow and of the GitLab CI file runs, exactly as written, in a
// temporary project whose inventory is a git repository (an origin, a main
// branch, a pull-request branch: two commits) with local devices. The other
// lines (setup, posting the comment, pushing) must be ones this test knows.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { isoInZone } from "../../src/workflow/block/time.js";
import { listApprovers, makeKeys } from "../helpers/approvers.js";
import { calendarFree } from "../helpers/calendar.js";
import { REPO_ROOT, SMALL_INVENTORY } from "../helpers/inventory.js";

interface Job {
  name: string;
  lines: string[];
}

const SCCONF = /^node bin\/scconf /;
/** the non-scconf lines the examples may hold (not run here: they need GitHub, GitLab, root or the network) */
const KNOWN = [
  /^(sudo )?bash scripts\/setup\.sh$/,
  /^gh pr comment "\$PR_NUMBER" --body-file plan\.md$/,
  /^git fetch origin "\$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"$/,
  /^git fetch origin main$/,
  /^git merge --ff-only FETCH_HEAD$/,
  /^curl --fail .*--data-urlencode "body@plan\.md" "\$CI_API_V4_URL\/projects\/\$CI_PROJECT_ID\/merge_requests\/\$CI_MERGE_REQUEST_IID\/notes"$/,
];

const lines = (script: string): string[] => script.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));

function githubJobs(file: string): Job[] {
  const doc = parse(readFileSync(file, "utf8")) as { jobs: Record<string, { steps: Array<{ run?: string }> }> };
  return Object.entries(doc.jobs).map(([name, job]) => ({ name, lines: job.steps.flatMap((s) => (s.run ? lines(s.run) : [])) }));
}

function gitlabJobs(file: string): Job[] {
  const doc = parse(readFileSync(file, "utf8")) as Record<string, { script?: string[] }>;
  return Object.entries(doc)
    .filter(([, v]) => typeof v === "object" && v !== null && Array.isArray((v as { script?: unknown }).script))
    .map(([name, job]) => ({ name, lines: job.script!.flatMap(lines) }));
}

const scconfLines = (job: Job) => job.lines.filter((l) => SCCONF.test(l));

// ───────────────────────── the temporary project ─────────────────────────

const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-C", cwd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

const DEVICES = `devices:
  - { name: fw-srx, platform: junos, kinds: [firewall], root: state/devices/fw-srx }
  - { name: utm-fg, platform: fortios, kinds: [firewall, urlFilter, ipsExceptions], root: state/devices/utm-fg }
  - { name: rp-nginx, platform: nginx, kinds: [reverseProxy], root: state/devices/rp-nginx }
  - { name: dns-bind, platform: bind, kinds: [dns], root: state/devices/dns-bind }
  - { name: mail-postfix, platform: postfix, kinds: [mailRelay], root: state/devices/mail-postfix }
  - { name: mail-sa, platform: spamassassin, kinds: [spamExclusions], root: state/devices/mail-sa }
`;
const NEW_RULE = `  - { name: ci-cms-in, from: [internet], to: [web], protocol: tcp, ports: [8443], action: accept, comment: CIで追加 }\n`;

/**
 * The approver's own step, by hand on their machine, as examples/ci/README.md
 * writes it: sign the approval of the plan the plan job made, with the key in
 * ~/.ssh (here Suzuki's test key in a temporary HOME), then push.
 */
const README = readFileSync(join(REPO_ROOT, "examples/ci/README.md"), "utf8");
const APPROVE_BY_HAND = (README.match(/^scconf approve plan\.json --key ~\/\.ssh\/id_ed25519(?= )/m) ?? [""])[0];

/** origin (bare) + a clone with main = the first commit; bin/scconf is this checkout's CLI; Suzuki is the listed approver. */
function makeProject(): { dir: string; work: string; home: string } {
  const dir = mkdtempSync(join(tmpdir(), "scconf-ci-"));
  scratch.push(dir);
  const work = join(dir, "work");
  mkdirSync(work);
  git(dir, "init", "--quiet", "--bare", "--initial-branch=main", "origin.git");
  git(work, "init", "--quiet", "--initial-branch=main");
  git(work, "config", "user.name", "Tanaka");
  git(work, "config", "user.email", "tanaka@example.jp");
  git(work, "remote", "add", "origin", join(dir, "origin.git"));
  cpSync(SMALL_INVENTORY, join(work, "inventory"), { recursive: true });
  writeFileSync(join(work, "inventory/devices.yaml"), DEVICES);
  // a real apply runs on the clock: the policy's window is always open, no expiry passes
  calendarFree(join(work, "inventory"));
  const suzuki = makeKeys(["Suzuki"])["Suzuki"]!;
  listApprovers(join(work, "inventory/cloud.yaml"), [suzuki], "security officer");
  const home = join(dir, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true });
  cpSync(suzuki.file, join(home, ".ssh/id_ed25519"));
  cpSync(`${suzuki.file}.pub`, join(home, ".ssh/id_ed25519.pub"));
  writeFileSync(join(work, ".gitignore"), "state/\nbackups/\n.scconf/\nplan.md\nplan.json\n/bin\n");
  mkdirSync(join(work, "bin"));
  symlinkSync(join(REPO_ROOT, "bin/scconf"), join(work, "bin/scconf"));
  git(work, "add", "-A");
  git(work, "commit", "--quiet", "-m", "the inventory");
  git(work, "push", "--quiet", "origin", "main");
  return { dir, work, home };
}

/** A pull request: a branch with one commit adding a firewall rule for tsu. */
function openPullRequest(work: string): void {
  git(work, "checkout", "--quiet", "-b", "tsu-cms");
  const file = join(work, "inventory/orgs/tsu.yaml");
  const text = readFileSync(file, "utf8");
  const at = text.indexOf("firewall:\n");
  expect(at, "tsu.yaml has a firewall list").toBeGreaterThan(0);
  writeFileSync(file, text.slice(0, at + "firewall:\n".length) + NEW_RULE + text.slice(at + "firewall:\n".length));
  git(work, "commit", "--quiet", "-am", "tsu: open 8443 to the CMS");
  git(work, "push", "--quiet", "origin", "tsu-cms");
}

function merge(work: string): void {
  git(work, "checkout", "--quiet", "main");
  git(work, "merge", "--quiet", "--no-ff", "-m", "Merge tsu-cms", "tsu-cms");
}

function run(work: string, line: string, env: Record<string, string>): { code: number; out: string } {
  const r = spawnSync("bash", ["-o", "pipefail", "-c", line], {
    cwd: work,
    encoding: "utf8",
    timeout: 240_000,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", SCCONF_BACKUPS: join(work, "..", "backups"), ...env },
  });
  return { code: r.status ?? -1, out: `$ ${line}\nexit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}` };
}

function runJob(work: string, job: Job, env: Record<string, string>): void {
  for (const line of scconfLines(job)) {
    const r = run(work, line, env);
    expect(r.code, r.out).toBe(0);
  }
}

const platforms = [
  {
    name: "GitHub Actions",
    file: join(REPO_ROOT, "examples/ci/github-actions.yml"),
    jobs: githubJobs,
    review: "review",
    env: { BASE_REF: "main", SCCONF_OPERATOR: "github-actions", GITHUB_RUN_ID: "42" },
  },
  {
    name: "GitLab CI",
    file: join(REPO_ROOT, "examples/ci/gitlab-ci.yml"),
    jobs: gitlabJobs,
    review: "review",
    env: { CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main", SCCONF_OPERATOR: "gitlab-ci", CI_JOB_ID: "42" },
  },
];

describe.each(platforms)("the $name example", (p) => {
  const jobs = p.jobs(p.file);
  const job = (name: string) => {
    const j = jobs.find((x) => x.name === name);
    if (!j) throw new Error(`${p.file} has no job "${name}"`);
    return j;
  };
  const merged: Job = { name: "merge", lines: [...job("plan").lines, ...job("apply").lines] };
  /** what happens on a merge: the plan job, the approver signing by hand, the apply job */
  function runMerge(work: string, home: string): void {
    runJob(work, job("plan"), p.env);
    const r = run(work, APPROVE_BY_HAND.replace(/^scconf /, "node bin/scconf "), { ...p.env, HOME: home });
    expect(r.code, r.out).toBe(0);
    runJob(work, job("apply"), p.env);
  }

  it("holds only scconf commands and lines this test knows", () => {
    for (const j of jobs) for (const l of j.lines.filter((x) => !SCCONF.test(x))) {
      expect(KNOWN.some((k) => k.test(l)), `${j.name}: an unknown command would go untested: ${l}`).toBe(true);
    }
  });

  it("validates and posts the review plan on a pull request; plans, approves and applies on merge", () => {
    const review = scconfLines(job(p.review));
    expect(review[0]).toMatch(/^node bin\/scconf validate$/);
    expect(review[1]).toMatch(/^node bin\/scconf plan --base "origin\/\$\w+" --format markdown .*> plan\.md \|\| test \$\? -eq 2$/);
    const onMerge = scconfLines(merged);
    expect(onMerge.map((l) => l.split(" ").slice(2, 4).join(" "))).toEqual(["validate", "plan --out", "apply plan.json"]);
    expect(onMerge[2]).toMatch(/--yes$/);
    // CI holds no approver's key: the approval is signed by hand, by the approver, between the two jobs
    expect(APPROVE_BY_HAND).not.toBe("");
    expect(onMerge.some((l) => l.includes(" approve "))).toBe(false);
    // the approval gate of the platform
    const text = readFileSync(p.file, "utf8");
    expect(text).toMatch(p.name === "GitHub Actions" ? /environment: production/ : /when: manual[\s\S]*environment:\s*\n\s*name: production/);
  });

  it("runs a pull request's life: first deployment, review plan on the branch, merge, approve, apply, history and report", () => {
    const { work, home } = makeProject();
    // main as it is: the first deployment through the merge jobs
    runMerge(work, home);
    const audit = readFileSync(join(work, "..", "backups", "audit.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { kind: string }).kind);
    // the merge job approves (an audit line of its own) and then applies
    expect(audit).toEqual(["approval", "apply"]);

    openPullRequest(work);
    runJob(work, job(p.review), p.env);
    const md = readFileSync(join(work, "plan.md"), "utf8");
    expect(md).toContain("ci-cms-in");
    expect(md).toContain("tsu");

    merge(work);
    runMerge(work, home);
    const plan = JSON.parse(readFileSync(join(work, "plan.json"), "utf8")) as { id: string; devices: Array<{ device: string; changed: boolean }> };
    expect(plan.devices.filter((d) => d.changed).map((d) => d.device).sort()).toEqual(["fw-srx", "utm-fg"]);
    expect(git(work, "show", `HEAD:approvals/${plan.id}.json`)).toContain('"by": "Suzuki"');
    expect(git(work, "cat-file", "commit", "HEAD")).toContain("-----BEGIN SSH SIGNATURE-----");
    const last = JSON.parse(readFileSync(join(work, "..", "backups", "audit.jsonl"), "utf8").trim().split("\n").at(-1)!) as {
      time: string;
      kind: string;
      details: { devices: Array<{ outcome: string }>; approvals?: Array<{ by: string }> };
    };
    expect(last.kind).toBe("apply");
    expect(last.details.devices.filter((d) => d.outcome !== "unchanged").map((d) => d.outcome)).toEqual(["applied", "applied"]);
    expect(last.details.approvals?.map((a) => a.by)).toEqual(["Suzuki"]);

    // what the README's walk-through ends with: history and report show the change
    const history = run(work, "node bin/scconf history --org tsu", p.env);
    expect(history.code, history.out).toBe(0);
    expect(history.out).toMatch(/edit\s+Tanaka\s+津市 \(tsu\): tsu: open 8443 to the CMS/);
    expect(history.out).toContain("+ ci-cms-in: internet → web tcp/8443 accept");
    expect(history.out).toMatch(/applied .* by \S+ \(plan-[0-9a-f]{16}\), approved by Suzuki/);
    // the month of the apply itself, in the cloud's time zone (the report's months), not the calendar's
    const month = isoInZone(new Date(last.time), "Asia/Tokyo").slice(0, 7);
    const report = run(work, `node bin/scconf report changes --month ${month}`, p.env);
    expect(report.code, report.out).toBe(0);
    // the first deployment added everything; the merge added one firewall rule
    expect(report.out).toMatch(/\| 津市 \(tsu\) \| ファイアウォールへのアクセス制限設定 \| 追加 \(add\) \| ci-cms-in \| internet → web tcp\/8443 accept \|/);
    expect(report.out).toMatch(/\| 適用 \/ Applies \| 2 \|/);
  });
});
