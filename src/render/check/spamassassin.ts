// Lints the rendered site config with the real SpamAssassin. It reads
// `.spamassassin` in the passwd home whatever $HOME says, so it runs in a
// private mount namespace with a scratch directory bound over that home.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { runTool } from "./run.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

export const spamassassinChecker: LocalChecker = {
  programs: ["spamassassin", "unshare"],
  async check(config, workdir): Promise<CheckOutcome[]> {
    const site = join(workdir, "spamassassin-site");
    const home = join(workdir, "spamassassin-home");
    mkdirSync(site, { recursive: true });
    mkdirSync(home, { recursive: true });
    // The .pre files load the plugins that the welcomelist directives belong to.
    for (const f of readdirSync("/etc/spamassassin").filter((n) => n.endsWith(".pre"))) copyFileSync(join("/etc/spamassassin", f), join(site, f));
    for (const a of config.artifacts) writeFileSync(join(site, `${a.id}.cf`), a.content);
    const lint = `spamassassin --lint -x --siteconfigpath=${site}`;
    const script = `mount --bind "$1" "$2" && exec ${lint}`;
    const asRoot = process.getuid?.() === 0;
    const r = await runTool("unshare", [asRoot ? "-m" : "-rm", "sh", "-c", script, "sh", home, userInfo().homedir], { timeoutMs: 120_000 });
    return [{ device: config.device, checked: true, ok: r.code === 0 && !r.timedOut, tool: lint, output: (r.stdout + r.stderr).trim() }];
  },
};
