// Lints the rendered files with the real SpamAssassin: the site config (our
// local-cf) with lint_rules, as `spamassassin --lint` does, then each
// per-domain user_prefs as spamd reads it for a spamc -u user (see
// platforms/spamassassin-lint.ts). SpamAssassin reads `.spamassassin` in the
// passwd home whatever $HOME says, so it runs in a private mount namespace with
// a scratch directory bound over that home.
// The site directory is the harness's own: the plugins are loaded by a .pre
// file of ours (Debian's stock list), never from the host's /etc/spamassassin.
import { mkdirSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { PREFS_LINT_PERL } from "../platforms/spamassassin-lint.js";
import { runTool } from "./run.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

/** The plugins a stock Debian SpamAssassin 4 loads from its .pre files (the welcomelist directives belong to them). */
const STOCK_PLUGINS = [
  "URIDNSBL", "SPF", "SpamCop", "AutoLearnThreshold", "WelcomeListSubject", "MIMEHeader", "ReplaceTags", "DKIM",
  "Check", "HTTPSMismatch", "URIDetail", "Bayes", "BodyEval", "DNSEval", "HTMLEval", "HeaderEval", "MIMEEval",
  "RelayEval", "URIEval", "WLBLEval", "VBounce", "ImageInfo", "FreeMail", "AskDNS", "HashBL", "DMARC",
];
export const SCCONF_PRE = ["# scconf check harness: the stock plugins", "enable_compat welcomelist_blocklist", ...STOCK_PLUGINS.map((p) => `loadplugin Mail::SpamAssassin::Plugin::${p}`), ""].join("\n");

/** A user_prefs artifact by its id; everything else of the platform is site config. */
const isUserPrefs = (id: string) => id.startsWith("user-prefs-");

export const spamassassinChecker: LocalChecker = {
  programs: ["spamassassin", "perl", "unshare"],
  async check(config, workdir): Promise<CheckOutcome[]> {
    const site = join(workdir, "spamassassin-site");
    const prefs = join(workdir, "spamassassin-prefs");
    const home = join(workdir, "spamassassin-home");
    for (const d of [site, prefs, home]) mkdirSync(d, { recursive: true });
    writeFileSync(join(site, "init.pre"), SCCONF_PRE);
    const prefFiles: string[] = [];
    for (const a of config.artifacts) {
      const file = isUserPrefs(a.id) ? join(prefs, a.id) : join(site, `${a.id}.cf`);
      writeFileSync(file, a.content);
      if (isUserPrefs(a.id)) prefFiles.push(file);
    }
    const program = join(workdir, "spamassassin-lint.pl");
    writeFileSync(program, PREFS_LINT_PERL);
    const script = 'mount --bind "$1" "$2" && shift 2 && exec perl "$@"';
    const asRoot = process.getuid?.() === 0;
    const r = await runTool("unshare", [asRoot ? "-m" : "-rm", "sh", "-c", script, "sh", home, userInfo().homedir, program, site, ...prefFiles], { timeoutMs: 120_000 });
    // the program's word first, so the summary names it: "spamassassin lint_rules + user_prefs"
    const tool = `spamassassin lint_rules ${site}, read_scoreonly_config on ${prefFiles.length} user_prefs (perl ${program})`;
    return [{ device: config.device, checked: true, ok: r.code === 0 && !r.timedOut, tool, output: (r.stdout + r.stderr).trim() }];
  },
};
