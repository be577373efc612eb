// PLACEHOLDER until the ietf-acl renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const ietfAcl: Platform = {
  name: "ietf-acl",
  description: "ietf-acl (not yet implemented)",
  kinds: PLATFORM_KINDS["ietf-acl"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "ietf-acl", "platform", "the ietf-acl renderer is not implemented yet");
  },
};
