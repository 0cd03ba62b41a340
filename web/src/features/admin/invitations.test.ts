import { describe, expect, it } from "vitest";
import { invitationState } from "./invitations.js";

const now = new Date("2026-05-01T12:00:00Z");
const later = new Date("2026-05-08T12:00:00Z");
const earlier = new Date("2026-04-20T12:00:00Z");

describe("invitation state", () => {
  it("is pending until it expires", () => {
    expect(invitationState({ expire: later }, now)).toBe("pending");
    expect(invitationState({ expire: earlier }, now)).toBe("expired");
    expect(invitationState({ expire: now }, now)).toBe("expired");
  });

  it("says accepted or revoked whatever the expiry", () => {
    expect(invitationState({ expire: earlier, accept: earlier }, now)).toBe("accepted");
    expect(invitationState({ expire: later, revoke: now }, now)).toBe("revoked");
  });
});
