// PLACEHOLDER until the nginx renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const nginx: Platform = {
  name: "nginx",
  description: "nginx (not yet implemented)",
  kinds: PLATFORM_KINDS["nginx"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "nginx", "platform", "the nginx renderer is not implemented yet");
  },
};
