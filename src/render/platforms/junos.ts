// PLACEHOLDER until the junos renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const junos: Platform = {
  name: "junos",
  description: "junos (not yet implemented)",
  kinds: PLATFORM_KINDS["junos"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "junos", "platform", "the junos renderer is not implemented yet");
  },
};
