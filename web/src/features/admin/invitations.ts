/** What an invitation's timestamps say about it, for its badge and whether it can be revoked. */
export type InvitationState = "pending" | "expired" | "accepted" | "revoked";

export interface InvitationTimes {
  expire?: Date;
  accept?: Date;
  revoke?: Date;
}

export function invitationState(times: InvitationTimes, now: Date = new Date()): InvitationState {
  if (times.revoke) return "revoked";
  if (times.accept) return "accepted";
  if (times.expire && times.expire.getTime() <= now.getTime()) return "expired";
  return "pending";
}
