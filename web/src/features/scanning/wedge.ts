/**
 * Recognises a keyboard-wedge scanner: a handheld that "types" its code as a fast burst of key
 * presses ending in Enter. People type far slower than 35 ms between keys, so a burst of at
 * least four characters that fast, then Enter, is a scan — wherever the focus is. Pure logic:
 * the caller feeds keys with their time stamps (injected, so tests need no clock).
 */
export interface WedgeOptions {
  /** Shortest code a burst may carry. */
  minLength: number;
  /** Longest pause between two characters of one burst, in ms. */
  maxGapMs: number;
  /** Longest pause between the last character and Enter, in ms (some scanners wait a little). */
  maxEnterGapMs: number;
}

export const DEFAULT_WEDGE: WedgeOptions = { minLength: 4, maxGapMs: 35, maxEnterGapMs: 100 };

/** Keys that do not break a burst (a scanner presses Shift for capitals). */
const NEUTRAL_KEYS = new Set(["Shift", "CapsLock", "Alt", "AltGraph", "Control", "Meta", "Unidentified"]);

export type WedgeVerdict =
  /** Not (yet) a scan: let the key do what it does. */
  | { kind: "none" }
  /** Enter ended a burst: `code` was scanned. */
  | { kind: "code"; code: string };

export class WedgeDetector {
  private buffer = "";
  private lastTime = -Infinity;

  constructor(private readonly options: WedgeOptions = DEFAULT_WEDGE) {}

  /** Feeds one key press (`KeyboardEvent.key`) made at `time` ms. */
  feed(key: string, time: number): WedgeVerdict {
    if (NEUTRAL_KEYS.has(key)) return { kind: "none" };
    const gap = time - this.lastTime;
    if (key === "Enter") {
      const code = this.buffer;
      const burst = code.length >= this.options.minLength && gap <= this.options.maxEnterGapMs;
      this.reset();
      return burst ? { kind: "code", code } : { kind: "none" };
    }
    if (key.length !== 1) {
      // Arrows, Backspace, Tab…: a person is typing, not a scanner.
      this.reset();
      return { kind: "none" };
    }
    this.buffer = gap <= this.options.maxGapMs ? this.buffer + key : key;
    this.lastTime = time;
    return { kind: "none" };
  }

  /** How many characters the current burst holds (for stripping them from a text field). */
  get pending(): number {
    return this.buffer.length;
  }

  reset() {
    this.buffer = "";
    this.lastTime = -Infinity;
  }
}
