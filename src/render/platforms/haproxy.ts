// PLACEHOLDER until the haproxy renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const haproxy: Platform = {
  name: "haproxy",
  description: "haproxy (not yet implemented)",
  kinds: PLATFORM_KINDS["haproxy"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "haproxy", "platform", "the haproxy renderer is not implemented yet");
  },
};
