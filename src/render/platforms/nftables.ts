// PLACEHOLDER until the nftables renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const nftables: Platform = {
  name: "nftables",
  description: "nftables (not yet implemented)",
  kinds: PLATFORM_KINDS["nftables"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "nftables", "platform", "the nftables renderer is not implemented yet");
  },
};
