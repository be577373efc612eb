// Handlebars, set up for configuration files rather than HTML:
// strict (a missing variable is an error) and noEscape (HTML escaping is wrong
// here; each platform's own quoting helper does the escaping).
import { readdirSync, readFileSync } from "node:fs";
import Handlebars from "handlebars";
import type { PlatformName } from "../model/kinds.js";
import { packagePath } from "../package-root.js";

/** templates/ at the package root; the same from src/ (tests), dist/ and the bundled CLI. */
export const TEMPLATES_DIR = packagePath("templates") + "/";

export type Helper = (...args: never[]) => unknown;

export interface TemplateSet {
  /** renders templates/<platform>/<name>.hbs */
  render(name: string, data: object): string;
}

const cache = new Map<PlatformName, TemplateSet>();

function commonHelpers(hb: typeof Handlebars): void {
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hb.registerHelper("ne", (a: unknown, b: unknown) => a !== b);
  hb.registerHelper("join", (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === "string" ? sep : ", ") : ""));
}

/**
 * Loads and compiles every template of a platform once per process. Files
 * whose name starts with "_" are partials ({{> _name}}).
 */
export function loadTemplates(platform: PlatformName, helpers: Record<string, Helper> = {}): TemplateSet {
  const hit = cache.get(platform);
  if (hit) return hit;
  const hb = Handlebars.create();
  commonHelpers(hb);
  for (const [name, fn] of Object.entries(helpers)) hb.registerHelper(name, fn as Handlebars.HelperDelegate);
  const dir = `${TEMPLATES_DIR}${platform}/`;
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".hbs")).sort();
  } catch {
    files = [];
  }
  for (const f of files) {
    const source = readFileSync(dir + f, "utf8");
    const name = f.slice(0, -4);
    if (name.startsWith("_")) hb.registerPartial(name, source);
    else compiled.set(name, hb.compile(source, { strict: true, noEscape: true, preventIndent: true }));
  }
  const set: TemplateSet = {
    render(name, data) {
      const t = compiled.get(name);
      if (!t) throw new Error(`no template templates/${platform}/${name}.hbs`);
      return t(data);
    },
  };
  cache.set(platform, set);
  return set;
}
