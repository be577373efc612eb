// Checks the rendered rspamd files with `rspamadm configtest -s` against the
// package's stock rspamd.conf (CONFDIR: a copy of the project's own, see
// stock.ts; never the host's /etc/rspamd), with LOCAL_CONFDIR pointing at a harness that
// holds our local.d files. rspamd writes to /var/lib/rspamd whatever DBDIR
// says, so it runs in a private mount namespace with a scratch directory bound
// there. Without -s a semantic error still prints "syntax OK"; the exit code decides.
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { runTool } from "./run.js";
import { stockConfig } from "./stock.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

// Offline, the stock fuzzy servers do not resolve and fail the test: point the rule at localhost.
const FUZZY_OVERRIDE = 'rule "rspamd.com" {\n  servers = "127.0.0.1:11335";\n}\n';

export const rspamdChecker: LocalChecker = {
  programs: ["rspamadm", "unshare"],
  async check(config, workdir): Promise<CheckOutcome[]> {
    const stock = stockConfig("rspamd", "rspamd");
    if ("missing" in stock) return [{ device: config.device, checked: false, ok: false, tool: "rspamadm configtest", output: stock.missing }];
    const conf = join(workdir, "rspamd-local");
    const varlib = join(workdir, "rspamd-varlib");
    mkdirSync(join(conf, "local.d"), { recursive: true });
    mkdirSync(join(conf, "db"), { recursive: true });
    mkdirSync(varlib, { recursive: true });
    writeFileSync(join(conf, "local.d", "fuzzy_check.conf"), FUZZY_OVERRIDE);
    // Each artifact goes where the device keeps it inside local.d (its file name).
    for (const a of config.artifacts) writeFileSync(join(conf, "local.d", basename(a.path)), a.content);
    const test = `rspamadm --var=CONFDIR=${stock.dir} --var=LOCAL_CONFDIR=${conf} --var=DBDIR=${conf}/db configtest -s -c ${stock.dir}/rspamd.conf`;
    const script = `mount --bind "$1" /var/lib/rspamd && exec ${test}`;
    const asRoot = process.getuid?.() === 0;
    const r = await runTool("unshare", [asRoot ? "-m" : "-rm", "sh", "-c", script, "sh", varlib], { timeoutMs: 120_000 });
    return [{ device: config.device, checked: true, ok: r.code === 0 && !r.timedOut, tool: test, output: (r.stdout + r.stderr).trim() }];
  },
};
