// PLACEHOLDER until the unbound renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const unbound: Platform = {
  name: "unbound",
  description: "unbound (not yet implemented)",
  kinds: PLATFORM_KINDS["unbound"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "unbound", "platform", "the unbound renderer is not implemented yet");
  },
};
