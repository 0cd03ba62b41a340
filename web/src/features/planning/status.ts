/**
 * The event status machine as the API enforces it (planning.proto, EventStatus): which moves a
 * person may be offered, and in which statuses the warehouse is working on the event.
 */
import { EventStatus } from "../../gen/eventkit/v1/planning_pb.js";

const TRANSITIONS: Readonly<Record<EventStatus, readonly EventStatus[]>> = {
  [EventStatus.UNSPECIFIED]: [],
  [EventStatus.ENQUIRY]: [EventStatus.PROVISIONAL, EventStatus.CONFIRMED, EventStatus.CANCELLED],
  [EventStatus.PROVISIONAL]: [EventStatus.ENQUIRY, EventStatus.CONFIRMED, EventStatus.CANCELLED],
  [EventStatus.CONFIRMED]: [EventStatus.PROVISIONAL, EventStatus.PREPPED, EventStatus.CANCELLED],
  [EventStatus.PREPPED]: [EventStatus.CONFIRMED, EventStatus.OUT, EventStatus.CANCELLED],
  [EventStatus.OUT]: [EventStatus.RETURNED],
  [EventStatus.RETURNED]: [EventStatus.COMPLETED],
  [EventStatus.COMPLETED]: [],
  [EventStatus.CANCELLED]: [EventStatus.ENQUIRY],
};

/** The statuses an event may move to next. */
export function allowedTransitions(status: EventStatus): readonly EventStatus[] {
  return TRANSITIONS[status] ?? [];
}

/** Statuses a list can filter by, in the order of an event's life. */
export const EVENT_STATUSES: readonly EventStatus[] = [
  EventStatus.ENQUIRY,
  EventStatus.PROVISIONAL,
  EventStatus.CONFIRMED,
  EventStatus.PREPPED,
  EventStatus.OUT,
  EventStatus.RETURNED,
  EventStatus.COMPLETED,
  EventStatus.CANCELLED,
];

/** The warehouse packs, sends out or takes back: scanning progress means something. */
export function isUnderWay(status: EventStatus): boolean {
  return status === EventStatus.PREPPED || status === EventStatus.OUT || status === EventStatus.RETURNED;
}

/** Lines of returned, completed and cancelled events are closed (docs/api.md, Pull lists). */
export function pullListOpen(status: EventStatus): boolean {
  return status !== EventStatus.RETURNED && status !== EventStatus.COMPLETED && status !== EventStatus.CANCELLED;
}

/** The catalogue key of a status's name (shared catalogue `status.*`). */
export function statusKey(status: EventStatus): string {
  return `status.EVENT_STATUS_${EventStatus[status] ?? "UNSPECIFIED"}`;
}

/** A colour for a status badge or calendar bar. */
export function statusTone(status: EventStatus): string {
  switch (status) {
    case EventStatus.CONFIRMED:
    case EventStatus.PREPPED:
      return "tone-ok";
    case EventStatus.OUT:
      return "tone-accent";
    case EventStatus.ENQUIRY:
    case EventStatus.PROVISIONAL:
      return "tone-warn";
    case EventStatus.CANCELLED:
      return "tone-danger";
    default:
      return "tone-muted";
  }
}
