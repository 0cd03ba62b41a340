import { describe, expect, it } from "vitest";
import { WedgeDetector } from "./wedge.js";

/** Feeds `text` then Enter, one key every `gap` ms from `start`; returns the last verdict. */
function type(detector: WedgeDetector, text: string, gap: number, start = 1000, enterGap = gap) {
  let time = start;
  for (const key of text) {
    detector.feed(key, time);
    time += gap;
  }
  return detector.feed("Enter", time - gap + enterGap);
}

describe("keyboard-wedge detector", () => {
  it("recognises a fast burst ending in Enter", () => {
    expect(type(new WedgeDetector(), "A-1042", 8)).toEqual({ kind: "code", code: "A-1042" });
  });

  it("ignores a person typing slowly", () => {
    expect(type(new WedgeDetector(), "A-1042", 120)).toEqual({ kind: "none" });
  });

  it("needs at least four characters", () => {
    expect(type(new WedgeDetector(), "A12", 5)).toEqual({ kind: "none" });
    expect(type(new WedgeDetector(), "A123", 5)).toEqual({ kind: "code", code: "A123" });
  });

  it("starts a new burst after a pause, so slow typing before a scan is dropped", () => {
    const detector = new WedgeDetector();
    detector.feed("x", 0);
    detector.feed("y", 500);
    expect(type(detector, "CASE-7", 10, 2000)).toEqual({ kind: "code", code: "CASE-7" });
  });

  it("treats a gap of exactly 35 ms as fast and 36 ms as slow", () => {
    expect(type(new WedgeDetector(), "ABCD", 35)).toEqual({ kind: "code", code: "ABCD" });
    expect(type(new WedgeDetector(), "ABCD", 36)).toEqual({ kind: "none" });
  });

  it("allows a short wait before Enter but not a long one", () => {
    expect(type(new WedgeDetector(), "ABCDE", 5, 0, 90)).toEqual({ kind: "code", code: "ABCDE" });
    expect(type(new WedgeDetector(), "ABCDE", 5, 0, 400)).toEqual({ kind: "none" });
  });

  it("lets Shift pass inside a burst", () => {
    const detector = new WedgeDetector();
    detector.feed("Shift", 0);
    detector.feed("A", 2);
    detector.feed("Shift", 4);
    detector.feed("B", 6);
    detector.feed("1", 12);
    detector.feed("2", 18);
    expect(detector.feed("Enter", 24)).toEqual({ kind: "code", code: "AB12" });
  });

  it("breaks a burst on editing keys and forgets it after Enter", () => {
    const detector = new WedgeDetector();
    for (const [i, key] of ["A", "B", "Backspace", "C", "D"].entries()) detector.feed(key, i * 5);
    expect(detector.feed("Enter", 30)).toEqual({ kind: "none" });
    expect(detector.pending).toBe(0);
  });

  it("counts the characters of the burst so far", () => {
    const detector = new WedgeDetector();
    detector.feed("A", 0);
    detector.feed("B", 5);
    expect(detector.pending).toBe(2);
  });
});
