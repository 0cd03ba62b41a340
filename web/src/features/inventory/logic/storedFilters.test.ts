import { describe, expect, it } from "vitest";
import { AssetStatus, CaseKind } from "../../../gen/eventkit/v1/inventory_pb.js";
import { readAssetFilters } from "../assets/assetColumns.js";
import { matchCase, readCaseFilters } from "../cases/caseColumns.js";
import { readProductFilters } from "../products/productColumns.js";

describe("filters read back from saved views", () => {
  it("keeps valid asset filters and repairs the rest", () => {
    expect(readAssetFilters({ query: "mh", status: AssetStatus.LOST, productId: "p", locationId: 5, layout: "cards" })).toEqual({
      query: "mh", status: AssetStatus.LOST, productId: "p", locationId: "", layout: "cards",
    });
    expect(readAssetFilters({ status: 99, layout: "grid" })).toMatchObject({ status: AssetStatus.UNSPECIFIED, layout: "table" });
    expect(readAssetFilters(null)).toBeUndefined();
  });
  it("reads product and case filters", () => {
    expect(readProductFilters({ query: "par", showDeleted: "yes" })).toEqual({ query: "par", category: "", showDeleted: false });
    expect(readCaseFilters({ kind: CaseKind.TEMPORARY })).toEqual({ query: "", locationId: "", kind: CaseKind.TEMPORARY });
    expect(readCaseFilters({ kind: 7 })?.kind).toBe(CaseKind.UNSPECIFIED);
  });
  it("matches loaded cases by code or name and kind", () => {
    const c = { code: "CASE-0001", name: "Flight case moving heads", kind: CaseKind.PERMANENT } as Parameters<typeof matchCase>[0];
    expect(matchCase(c, { query: "moving", locationId: "", kind: CaseKind.UNSPECIFIED })).toBe(true);
    expect(matchCase(c, { query: "case-00", locationId: "", kind: CaseKind.PERMANENT })).toBe(true);
    expect(matchCase(c, { query: "", locationId: "", kind: CaseKind.TEMPORARY })).toBe(false);
    expect(matchCase(c, { query: "audio", locationId: "", kind: CaseKind.UNSPECIFIED })).toBe(false);
  });
});
