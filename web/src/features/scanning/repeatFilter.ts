/**
 * The camera sees a code many times a second while it is in view: only the first sighting is a
 * scan. The same code counts again once it has been out of view for the window (~1.5 s); another
 * code counts at once.
 */
export class RepeatFilter {
  private lastCode?: string;
  private lastSeen = -Infinity;

  constructor(private readonly windowMs = 1500) {}

  /** True when this sighting at `now` ms is a new scan. */
  accept(code: string, now: number): boolean {
    const repeat = code === this.lastCode && now - this.lastSeen < this.windowMs;
    this.lastCode = code;
    this.lastSeen = now;
    return !repeat;
  }
}
