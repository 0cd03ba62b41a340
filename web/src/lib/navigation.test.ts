import { describe, expect, it } from "vitest";
import { navigationFor } from "./navigation.js";

describe("navigation", () => {
  it("shows a read-only person inventory and planning", () => {
    const items = navigationFor(["inventory:read", "planning:read"]).map((i) => i.to);
    expect(items).toEqual(["/", "/products", "/assets", "/events", "/calendar"]);
  });

  it("shows events and the calendar to a planner without inventory", () => {
    expect(navigationFor(["planning:read"]).map((i) => i.to)).toEqual(["/", "/events", "/calendar"]);
  });

  it("shows scanning to the warehouse", () => {
    const items = navigationFor(["inventory:read", "planning:read", "scanning:write"]).map((i) => i.to);
    expect(items).toEqual(["/", "/products", "/assets", "/events", "/calendar", "/scan"]);
  });

  it("shows the admin portal to anyone holding one admin permission", () => {
    expect(navigationFor(["admin:audit"]).map((i) => i.to)).toEqual(["/", "/admin"]);
    expect(navigationFor(["admin:webhooks", "planning:read"]).map((i) => i.to)).toEqual(["/", "/events", "/calendar", "/admin"]);
  });

  it("shows only the dashboard without permissions", () => {
    expect(navigationFor([]).map((i) => i.to)).toEqual(["/"]);
  });
});
