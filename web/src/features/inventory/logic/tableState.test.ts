import { describe, expect, it } from "vitest";
import { findView, nextSort, parseState, parseViews, removeView, sortRows, storageKey, toggleColumn, upsertView } from "./tableState.js";

const ALL = ["code", "product", "status", "updated"];
const fallback = { filters: { q: "" }, columns: ALL, sort: undefined };
const readFilters = (v: unknown) =>
  typeof v === "object" && v !== null && typeof (v as { q?: unknown }).q === "string" ? { q: (v as { q: string }).q } : undefined;

describe("columns", () => {
  it("hides and shows a column, keeping the table's order", () => {
    const hidden = toggleColumn(ALL, "product", ALL);
    expect(hidden).toEqual(["code", "status", "updated"]);
    expect(toggleColumn(hidden, "product", ALL)).toEqual(ALL);
  });
  it("keeps the last visible column and ignores unknown ones", () => {
    expect(toggleColumn(["code"], "code", ALL)).toEqual(["code"]);
    expect(toggleColumn(["code"], "nope", ALL)).toEqual(["code"]);
  });
});

describe("sort", () => {
  it("cycles ascending, descending, none", () => {
    const asc = nextSort(undefined, "code");
    expect(asc).toEqual({ column: "code", dir: "asc" });
    const desc = nextSort(asc, "code");
    expect(desc).toEqual({ column: "code", dir: "desc" });
    expect(nextSort(desc, "code")).toBeUndefined();
    expect(nextSort(desc, "status")).toEqual({ column: "status", dir: "asc" });
  });
  it("sorts text numerically, stably, empty values last", () => {
    const rows = [{ c: "A10" }, { c: "" }, { c: "a2" }, { c: "B1" }, { c: "A2" }];
    const by = { code: (r: { c: string }) => r.c };
    expect(sortRows(rows, { column: "code", dir: "asc" }, by, "en").map((r) => r.c)).toEqual(["a2", "A2", "A10", "B1", ""]);
    expect(sortRows(rows, { column: "code", dir: "desc" }, by, "en").map((r) => r.c)).toEqual(["B1", "A10", "a2", "A2", ""]);
    expect(sortRows(rows, undefined, by, "en")).toEqual(rows);
  });
  it("sorts bigints and numbers", () => {
    const rows = [{ n: 30n }, { n: 4n }, { n: undefined }, { n: 100n }];
    const by = { n: (r: { n?: bigint }) => r.n };
    expect(sortRows(rows, { column: "n", dir: "asc" }, by, "de").map((r) => r.n)).toEqual([4n, 30n, 100n, undefined]);
  });
});

describe("saved views", () => {
  it("adds, replaces by name ignoring case, and removes", () => {
    let views = upsertView([], { name: " Repairs ", filters: { q: "a" }, columns: ["code"] });
    expect(views).toHaveLength(1);
    expect(views[0]?.name).toBe("Repairs");
    views = upsertView(views, { name: "repairs", filters: { q: "b" }, columns: ALL });
    expect(views).toHaveLength(1);
    expect(findView(views, "REPAIRS")?.filters.q).toBe("b");
    views = upsertView(views, { name: "Lost", filters: { q: "" }, columns: ALL });
    expect(removeView(views, "repairs").map((v) => v.name)).toEqual(["Lost"]);
  });
  it("reads stored views and drops what no longer fits", () => {
    const raw = JSON.stringify([
      { name: "A", filters: { q: "x" }, columns: ["status", "gone", "code"], sort: { column: "code", dir: "desc" } },
      { name: "", columns: [] },
      { name: "B", filters: 3, columns: ["gone"], sort: { column: "gone", dir: "asc" } },
      "junk",
    ]);
    const views = parseViews(raw, ALL, readFilters, fallback);
    expect(views).toEqual([
      { name: "A", filters: { q: "x" }, columns: ["code", "status"], sort: { column: "code", dir: "desc" } },
      { name: "B", filters: { q: "" }, columns: ALL, sort: undefined },
    ]);
  });
  it("survives broken storage", () => {
    expect(parseViews("{not json", ALL, readFilters, fallback)).toEqual([]);
    expect(parseViews(null, ALL, readFilters, fallback)).toEqual([]);
    expect(parseState("x", ALL, readFilters, fallback)).toBe(fallback);
  });
  it("keys storage per person and table", () => {
    expect(storageKey("u1", "assets", "views")).toBe("ek.inventory.assets.views.u1");
  });
});
