/**
 * The scanning screen's place in the URL (`/scan?mode=checkIn&event=…`), so a reload or a shared
 * link opens the same mode and event. Kept apart from the page so the router can read it without
 * loading the page.
 */
export const MODES = ["checkOut", "checkIn", "stocktake", "packing"] as const;
export type ScanMode = (typeof MODES)[number];

export interface ScanSearch {
  mode?: ScanMode;
  event?: string;
}

export function scanSearch(search: Record<string, unknown>): ScanSearch {
  const mode = MODES.find((m) => m === search.mode);
  const event = typeof search.event === "string" && search.event ? search.event : undefined;
  return { ...(mode ? { mode } : {}), ...(event ? { event } : {}) };
}
