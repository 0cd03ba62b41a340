import { describe, expect, it } from "vitest";
import { allowedParents, BIN, locationPath, treeRows, WAREHOUSE, ZONE } from "./locationTree.js";

const L = (id: string, name: string, kind: number, parentId = "") => ({ id, name, kind, parentId });
const list = [
  L("z2", "Zone B", ZONE, "w1"),
  L("w1", "Main", WAREHOUSE),
  L("b1", "Bin 10", BIN, "z1"),
  L("z1", "Zone A", ZONE, "w1"),
  L("b2", "Bin 2", BIN, "z1"),
  L("w0", "Annex", WAREHOUSE),
  L("x", "Lost bin", BIN, "missing"),
];

describe("location tree", () => {
  it("lists parents before children, siblings by name", () => {
    const rows = treeRows(list, "en").map((r) => `${"-".repeat(r.depth)}${r.location.name}`);
    expect(rows).toEqual(["Annex", "Lost bin", "Main", "-Zone A", "--Bin 2", "--Bin 10", "-Zone B"]);
  });
  it("marks rows with children", () => {
    const rows = treeRows(list, "en");
    expect(rows.find((r) => r.location.id === "z1")?.hasChildren).toBe(true);
    expect(rows.find((r) => r.location.id === "z2")?.hasChildren).toBe(false);
  });
  it("writes a location's path", () => {
    const byId = new Map(list.map((l) => [l.id, l]));
    expect(locationPath("b1", byId)).toBe("Main › Zone A › Bin 10");
    expect(locationPath("nope", byId)).toBe("");
  });
  it("survives a loop", () => {
    const loop = [L("a", "A", ZONE, "b"), L("b", "B", ZONE, "a")];
    expect(locationPath("a", new Map(loop.map((l) => [l.id, l])))).toBe("B › A");
  });
  it("offers warehouses for zones, zones for bins, nothing for warehouses", () => {
    expect(allowedParents(ZONE, list).map((l) => l.id)).toEqual(["w1", "w0"]);
    expect(allowedParents(BIN, list).map((l) => l.id)).toEqual(["z2", "z1"]);
    expect(allowedParents(WAREHOUSE, list)).toEqual([]);
  });
});
