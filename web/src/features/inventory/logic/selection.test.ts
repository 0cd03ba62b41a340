import { describe, expect, it } from "vitest";
import { allState, clickRow, EMPTY_SELECTION, keepLoaded, toggleAll } from "./selection.js";

const ORDER = ["a", "b", "c", "d", "e"];
const ids = (s: { ids: ReadonlySet<string> }) => [...s.ids].sort();

describe("selection", () => {
  it("toggles one row and remembers it as the anchor", () => {
    const one = clickRow(EMPTY_SELECTION, "b", ORDER, false);
    expect(ids(one)).toEqual(["b"]);
    expect(one.anchor).toBe("b");
    expect(ids(clickRow(one, "b", ORDER, false))).toEqual([]);
  });
  it("selects a range with shift, either direction", () => {
    const start = clickRow(EMPTY_SELECTION, "b", ORDER, false);
    expect(ids(clickRow(start, "d", ORDER, true))).toEqual(["b", "c", "d"]);
    const back = clickRow(EMPTY_SELECTION, "d", ORDER, false);
    expect(ids(clickRow(back, "a", ORDER, true))).toEqual(["a", "b", "c", "d"]);
  });
  it("unselects a range when shift-clicking a selected row", () => {
    let s = toggleAll(EMPTY_SELECTION, ORDER);
    s = clickRow(s, "b", ORDER, false); // b off, anchor b
    s = clickRow(s, "d", ORDER, true); // d is selected: the range b..d goes off
    expect(ids(s)).toEqual(["a", "e"]);
  });
  it("shift without an anchor is a plain click", () => {
    expect(ids(clickRow(EMPTY_SELECTION, "c", ORDER, true))).toEqual(["c"]);
  });
  it("selects all loaded rows, then none", () => {
    const all = toggleAll(EMPTY_SELECTION, ORDER);
    expect(allState(all, ORDER)).toBe("all");
    expect(allState(clickRow(all, "a", ORDER, false), ORDER)).toBe("some");
    expect(allState(toggleAll(all, ORDER), ORDER)).toBe("none");
  });
  it("drops rows that are no longer loaded", () => {
    const all = toggleAll(EMPTY_SELECTION, ORDER);
    expect(ids(keepLoaded(all, ["a", "c"]))).toEqual(["a", "c"]);
    expect(keepLoaded(all, ORDER)).toBe(all);
  });
});
