// Where scconf's own files are (templates/, yang/, bin/, .cache/stock): the
// directory of the package.json named "scconf" above this module. Found by
// walking up rather than by a fixed "../../" so that the same code works from
// src/ (tests), dist/<layer>/ (tsc output) and dist/bundle/ (the bundled CLI).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const name: unknown = (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name;
      if (name === "scconf") return dir;
    }
    if (dirname(dir) === dir) throw new Error(`scconf: no package.json named "scconf" above ${start}`);
  }
}

/** the scconf package's root directory */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** a path inside the scconf package, e.g. packagePath("yang", "scconf-acl.yang") */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}
