// PLACEHOLDER until the squid renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const squid: Platform = {
  name: "squid",
  description: "squid (not yet implemented)",
  kinds: PLATFORM_KINDS["squid"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "squid", "platform", "the squid renderer is not implemented yet");
  },
};
