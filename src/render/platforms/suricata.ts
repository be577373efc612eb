// suricata 6/7: IPS exceptions as suppressions in the threshold file. Suricata
// reads exactly one threshold file (suricata.yaml `threshold-file:`) and has
// no include for it, so the device's suricata.yaml points threshold-file at
// this artifact and scconf owns the whole file.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { prefixHostOrCidr, type Prefix } from "../../model/net.js";
import { isActive, resolveRef } from "../../model/resolve.js";
import type { IpsException, Org } from "../../model/types.js";
import { artifactPath, headerLines, orgsInOrder, RenderError, type Platform, type RenderContext } from "../platform.js";

/** direction of the exception -> suricata's suppress tracker */
export const SURICATA_TRACK: Record<IpsException["direction"], string> = {
  source: "by_src",
  destination: "by_dst",
  both: "by_either",
};

/** Rules of the inventory are plain ET/Snort-style rules: generator 1. */
const GEN_ID = 1;

interface SuppressBlock {
  name: string;
  reason: string;
  expires?: string;
  lines: string[];
}

function orderPrefixes(prefixes: readonly Prefix[]): Prefix[] {
  const unique = [...new Map(prefixes.map((p) => [p.text, p])).values()];
  return unique.sort((a, b) => (a.family !== b.family ? a.family - b.family : a.start < b.start ? -1 : a.start > b.start ? 1 : a.length - b.length));
}

function exceptionBlock(ctx: RenderContext, org: Org, ex: IpsException, index: number): SuppressBlock {
  const prefixes: Prefix[] = [];
  ex.scope.forEach((ref, j) => {
    const r = resolveRef(ctx.inventory, org, ref);
    if (!r.ok) throw new RenderError(ctx.device.name, "suricata", `${org.id} ipsExceptions[${index}].scope[${j}]`, r.reason);
    prefixes.push(...r.value.prefixes);
  });
  // one line per prefix rather than an [a,b] list: a line reads as one fact in a diff
  const lines = orderPrefixes(prefixes).map(
    (p) => `suppress gen_id ${GEN_ID}, sig_id ${ex.signature}, track ${SURICATA_TRACK[ex.direction]}, ip ${prefixHostOrCidr(p)}`,
  );
  return { name: ex.name, reason: ex.reason, ...(ex.expires ? { expires: ex.expires } : {}), lines };
}

function renderThreshold(ctx: RenderContext): string {
  const orgs = ctx.kinds.includes("ipsExceptions")
    ? orgsInOrder(ctx.inventory).flatMap((org) => {
        const active = org.ipsExceptions.map((ex, i) => ({ ex, i })).filter(({ ex }) => isActive(ex.expires, ctx.today));
        if (active.length === 0) return [];
        return [{ id: org.id, nameJa: org.name.ja, exceptions: active.map(({ ex, i }) => exceptionBlock(ctx, org, ex, i)) }];
      })
    : [];
  return ctx.templates.render("threshold", { header: headerLines(ctx, "threshold"), orgs });
}

export const suricata: Platform = {
  name: "suricata",
  description: "suricata 6/7 IDS/IPS: signature exceptions as suppress lines of the threshold file",
  kinds: PLATFORM_KINDS["suricata"],
  features: ["ipv6", "comments"],
  defaultPaths: { threshold: "/etc/suricata/threshold.d/scconf.config" },
  // -T loads the rules and the threshold file given by --set without touching the running engine
  defaultCheckCommand: "suricata -T -c /etc/suricata/suricata.yaml --set threshold-file={stage}/threshold",
  // reloading the rules rebuilds the detection engine, which rereads the threshold file
  defaultReloadCommand: "suricatasc -c reload-rules",
  render(ctx) {
    return [
      {
        id: "threshold",
        path: artifactPath(ctx, suricata, "threshold"),
        content: renderThreshold(ctx),
        kinds: ["ipsExceptions"],
        format: "text",
      },
    ];
  },
};
