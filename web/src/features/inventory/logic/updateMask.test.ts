import { describe, expect, it } from "vitest";
import { changedPaths, snake } from "./updateMask.js";

describe("update mask", () => {
  it("names only the changed fields, in proto spelling", () => {
    const before = { code: "A1", serialNumber: "S", locationId: "", dailyRate: { amountMinor: 100n, currency: "EUR" } };
    const after = { ...before, serialNumber: "T", dailyRate: { amountMinor: 150n, currency: "EUR" } };
    expect(changedPaths(before, after, ["code", "serialNumber", "locationId", "dailyRate"])).toEqual(["serial_number", "daily_rate"]);
    expect(changedPaths(before, { ...before }, ["code", "dailyRate"])).toEqual([]);
  });
  it("spells camelCase as snake_case", () => {
    expect(snake("trackingMode")).toBe("tracking_mode");
    expect(snake("name")).toBe("name");
  });
});
