import { describe, expect, it } from "vitest";
import { navigationFor } from "./navigation.js";

describe("navigation", () => {
  it("shows a read-only person inventory and planning", () => {
    const items = navigationFor(["inventory:read", "planning:read"]).map((i) => i.to);
    expect(items).toEqual(["/", "/products", "/assets", "/events"]);
  });

  it("shows events to a planner without inventory", () => {
    expect(navigationFor(["planning:read"]).map((i) => i.to)).toEqual(["/", "/events"]);
  });

  it("shows only the dashboard without permissions", () => {
    expect(navigationFor([]).map((i) => i.to)).toEqual(["/"]);
  });
});
