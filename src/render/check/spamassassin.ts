// Lints the rendered site config with the real SpamAssassin. It reads
// `.spamassassin` in the passwd home whatever $HOME says, so it runs in a
// private mount namespace with a scratch directory bound over that home.
// The site directory is the harness's own: the plugins are loaded by a .pre
// file of ours (Debian's stock list), never from the host's /etc/spamassassin.
import { mkdirSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { runTool } from "./run.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

/** The plugins a stock Debian SpamAssassin 4 loads from its .pre files (the welcomelist directives belong to them). */
const STOCK_PLUGINS = [
  "URIDNSBL", "SPF", "SpamCop", "AutoLearnThreshold", "WelcomeListSubject", "MIMEHeader", "ReplaceTags", "DKIM",
  "Check", "HTTPSMismatch", "URIDetail", "Bayes", "BodyEval", "DNSEval", "HTMLEval", "HeaderEval", "MIMEEval",
  "RelayEval", "URIEval", "WLBLEval", "VBounce", "ImageInfo", "FreeMail", "AskDNS", "HashBL", "DMARC",
];
export const SCCONF_PRE = ["# scconf check harness: the stock plugins", "enable_compat welcomelist_blocklist", ...STOCK_PLUGINS.map((p) => `loadplugin Mail::SpamAssassin::Plugin::${p}`), ""].join("\n");

export const spamassassinChecker: LocalChecker = {
  programs: ["spamassassin", "unshare"],
  async check(config, workdir): Promise<CheckOutcome[]> {
    const site = join(workdir, "spamassassin-site");
    const home = join(workdir, "spamassassin-home");
    mkdirSync(site, { recursive: true });
    mkdirSync(home, { recursive: true });
    writeFileSync(join(site, "init.pre"), SCCONF_PRE);
    for (const a of config.artifacts) writeFileSync(join(site, `${a.id}.cf`), a.content);
    const lint = `spamassassin --lint -x --siteconfigpath=${site}`;
    const script = `mount --bind "$1" "$2" && exec ${lint}`;
    const asRoot = process.getuid?.() === 0;
    const r = await runTool("unshare", [asRoot ? "-m" : "-rm", "sh", "-c", script, "sh", home, userInfo().homedir], { timeoutMs: 120_000 });
    return [{ device: config.device, checked: true, ok: r.code === 0 && !r.timedOut, tool: lint, output: (r.stdout + r.stderr).trim() }];
  },
};
