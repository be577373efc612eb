// The vendors' stock configuration that a checker needs besides our
// artifacts (rspamd's rspamd.conf and its includes), kept in a directory of
// the project's own: scripts/setup.sh extracts it from the installed Debian
// package's archive. A checker never reads the host's /etc/<daemon>, which on
// another machine may be absent, edited or of another version.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { packagePath } from "../../package-root.js";

/** <project>/.cache/stock, or $SCCONF_STOCK_DIR. */
export function stockRoot(): string {
  const fromEnv = process.env["SCCONF_STOCK_DIR"];
  if (fromEnv) return resolve(fromEnv);
  return packagePath(".cache", "stock");
}

export interface StockConfig {
  /** the package's /etc tree, e.g. <root>/rspamd/etc/rspamd */
  dir: string;
  version: string;
}

/** The stock config of a Debian package, or why it is not there. */
export function stockConfig(pkg: string, etcDir: string): StockConfig | { missing: string } {
  const base = join(stockRoot(), pkg);
  const dir = join(base, "etc", etcDir);
  const versionFile = join(base, "VERSION");
  if (!existsSync(dir) || !existsSync(versionFile)) return { missing: `the stock ${pkg} configuration is not in ${base} (run scripts/setup.sh)` };
  return { dir, version: readFileSync(versionFile, "utf8").trim() };
}
