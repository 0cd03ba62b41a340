/**
 * The recent-scans list, newest first: what each scan did. A scan that waited in the offline
 * queue is updated in place when its answer comes; one answered after a reload is added.
 */
import type { Feedback, Mode } from "./outcome.js";

export interface RecentScan {
  /** The client scan id (or another id unique to the scan). */
  id: string;
  code: string;
  mode: Mode;
  madeAt: number;
  feedback: Feedback;
  /** Answered when the queue was replayed, not at once. */
  later?: boolean;
}

export type RecentAction =
  | { type: "add"; scan: RecentScan }
  | { type: "settle"; scan: RecentScan }
  | { type: "restore"; scans: RecentScan[] };

export const RECENT_LIMIT = 50;

const newestFirst = (a: RecentScan, b: RecentScan) => b.madeAt - a.madeAt;

export function recentReducer(state: RecentScan[], action: RecentAction): RecentScan[] {
  switch (action.type) {
    case "add":
      return [action.scan, ...state.filter((s) => s.id !== action.scan.id)].slice(0, RECENT_LIMIT);
    case "settle": {
      const known = state.some((s) => s.id === action.scan.id);
      if (!known) return [...state, action.scan].sort(newestFirst).slice(0, RECENT_LIMIT);
      return state.map((s) => (s.id === action.scan.id ? { ...s, ...action.scan, madeAt: s.madeAt } : s));
    }
    case "restore": {
      const ids = new Set(state.map((s) => s.id));
      const added = action.scans.filter((s) => !ids.has(s.id));
      return [...state, ...added].sort(newestFirst).slice(0, RECENT_LIMIT);
    }
  }
}
