// SpamAssassin 4.0: the spam part of the organizations' exclusions, as
// per-recipient-domain user preferences, so that one organization's exclusion
// never exempts a sender for another organization's mail (issue 17).
//
// - user-prefs-<domain>: /etc/spamassassin/scconf-users/<domain>/user_prefs for
//   every recipient domain of every organization (its domains and relayed mail
//   domains), holding that organization's active exclusions only, or just the
//   header when it has none, so that an exclusion removed from the inventory
//   leaves the device's file too. spamd reads it for a message only when it runs
//   with -x --virtual-config-dir=/etc/spamassassin/scconf-users/%d and spamc
//   sends the envelope recipient with -u (%d is the part after its last "@").
//   welcomelist_from and welcomelist_from_rcvd are user preferences (neither
//   is_admin nor is_priv in Mail::SpamAssassin::Conf), so spamd's
//   read_scoreonly_config accepts them there.
// - local-cf: /etc/spamassassin/scconf.cf, the shared site file. It holds no
//   welcome list at all any more (a site-wide one applies to every recipient);
//   it is still rendered, so that the global list an older scconf wrote there
//   is replaced, and its header says how the device must run spamd and spamc.
//
// Each sender:
// - an address: welcomelist_from addr (SA 4 names; whitelist_* are deprecated aliases)
// - a domain: welcomelist_from *@domain (that domain only, not its subdomains)
// - an IP: welcomelist_from_rcvd *@* [prefix]. It matches the relay that handed
//   the message to our trusted boundary (the first untrusted relay), which is
//   what "mail from this sending IP" means. trusted_networks would be wrong: it
//   does not skip the spam rules, it makes SA believe the Received headers that
//   host writes and skip DNSBL checks on it, widening trust beyond the one sender.
// Malware scanning is not SpamAssassin's job: an exclusion that bypasses only
// `malware` is listed as a comment and not rendered; `both` renders its spam part.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { recipientDomains } from "../../model/mail.js";
import { parsePrefix } from "../../model/net.js";
import { isActive } from "../../model/resolve.js";
import type { Artifact, Org, SpamExclusion } from "../../model/types.js";
import { artifactPath, headerLines, orgsInOrder, RenderError, type Platform, type RenderContext } from "../platform.js";
import { refuseUnrenderable } from "../refusals.js";
import { PREFS_LINT_PERL } from "./spamassassin-lint.js";

const LOCAL_CF = "local-cf";
/** the directory of the per-domain preferences: spamd's --virtual-config-dir is USERS_DIR/%d */
export const USERS_DIR = "/etc/spamassassin/scconf-users";

/** Per-domain preference files have one artifact each; their default path follows the domain. */
export function userPrefsArtifactId(domain: string): string {
  return `user-prefs-${domain}`;
}

/** One line of a comment: SA reads a line at a time, so a line break would start a directive. */
function commentText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/gu, " ");
}

/** The directive for one exclusion's sender. Values are validated; this refuses anything SA would read differently. */
export function welcomeDirective(ctx: RenderContext, where: string, ex: SpamExclusion): string {
  const ip = parsePrefix(ex.sender);
  if (ip.ok) return `welcomelist_from_rcvd *@* [${ip.prefix.text}]`;
  // literal (refuseUnrenderable): `#` starts a comment and `*`/`?` are globs in welcomelist_from
  return ex.sender.includes("@") ? `welcomelist_from ${ex.sender}` : `welcomelist_from *@${ex.sender}`;
}

interface ExclusionView {
  name: string;
  reason: string;
  expires?: string;
  directive?: string;
}

function exclusionViews(ctx: RenderContext, org: Org): ExclusionView[] {
  return org.spamExclusions.flatMap((ex, i): ExclusionView[] => {
    if (!isActive(ex.expires, ctx.today)) return [];
    const where = `${org.id} spamExclusions[${i}]`;
    const view: ExclusionView = { name: ex.name, reason: commentText(ex.reason), ...(ex.expires ? { expires: ex.expires } : {}) };
    return [ex.bypass === "malware" ? view : { ...view, directive: welcomeDirective(ctx, where, ex) }];
  });
}

/** Lints the staged site file in a copy of the device's site directory, then each staged user_prefs as spamd reads it. */
const DEVICE_CHECK = [
  'd=$(mktemp -d) && cp -a /etc/spamassassin/. "$d"/ && cp {stage}/local-cf "$d"/scconf.cf || { rm -rf "$d"; exit 1; }',
  'set -- {stage}/user-prefs-*; [ -e "$1" ] || set --',
  `perl -e '${PREFS_LINT_PERL}' "$d" "$@"; r=$?; rm -rf "$d"; exit $r`,
].join("\n");

export const spamassassin: Platform = {
  name: "spamassassin",
  description: "SpamAssassin 4.0: welcome lists for the spam part of the spam/malware exclusions, per recipient domain (spamd -x --virtual-config-dir)",
  kinds: PLATFORM_KINDS["spamassassin"],
  features: ["ipv6", "comments"],
  // user_prefs: "user-prefs-<domain>" -> USERS_DIR/<domain>/user_prefs unless device.paths says otherwise
  defaultPaths: { [LOCAL_CF]: "/etc/spamassassin/scconf.cf" },
  defaultCheckCommand: DEVICE_CHECK,
  defaultReloadCommand: "systemctl reload spamd.service",
  render(ctx) {
    const artifacts: Artifact[] = [];
    const owners = new Map<string, string>();
    const orgs: Array<{ id: string; nameJa: string; domains: string[] }> = [];
    for (const org of orgsInOrder(ctx.inventory)) {
      const nameJa = commentText(org.name.ja);
      const exclusions = exclusionViews(ctx, org);
      // each domain names the directory spamd's %d finds, exactly; an organization with exclusions has one (refuseUnrenderable)
      refuseUnrenderable(ctx, org, "spamExclusions");
      const domains = recipientDomains(org);
      for (const domain of domains) {
        const owner = owners.get(domain);
        if (owner) throw new RenderError(ctx.device.name, "spamassassin", `${org.id} domains`, `${domain} is also a recipient domain of ${owner}; one domain's preferences belong to one organization`);
        owners.set(domain, org.id);
        const id = userPrefsArtifactId(domain);
        artifacts.push({
          id,
          path: ctx.device.paths[id] ?? `${USERS_DIR}/${domain}/user_prefs`,
          content: ctx.templates.render("user-prefs", { header: headerLines(ctx, id), domain, org: { id: org.id, nameJa }, exclusions }),
          kinds: ["spamExclusions"],
          format: "text",
        });
      }
      if (domains.length) orgs.push({ id: org.id, nameJa, domains });
    }
    artifacts.push({
      id: LOCAL_CF,
      path: artifactPath(ctx, spamassassin, LOCAL_CF),
      content: ctx.templates.render(LOCAL_CF, { header: headerLines(ctx, LOCAL_CF), usersDir: USERS_DIR, orgs }),
      kinds: ["spamExclusions"],
      format: "text",
    });
    return artifacts;
  },
};
