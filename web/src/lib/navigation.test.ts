import { describe, expect, it } from "vitest";
import { navigationFor } from "./navigation.js";

describe("navigation", () => {
  it("shows a read-only person inventory and planning", () => {
    const items = navigationFor(["inventory:read", "planning:read"]).map((i) => i.to);
    expect(items).toEqual(["/", "/assets", "/events"]);
  });

  it("shows events to a planner without inventory", () => {
    expect(navigationFor(["planning:read"]).map((i) => i.to)).toEqual(["/", "/events"]);
  });

  it("shows the admin portal to anyone holding one admin permission", () => {
    expect(navigationFor(["admin:audit"]).map((i) => i.to)).toEqual(["/", "/admin"]);
    expect(navigationFor(["admin:webhooks", "planning:read"]).map((i) => i.to)).toEqual(["/", "/events", "/admin"]);
  });

  it("shows only the dashboard without permissions", () => {
    expect(navigationFor([]).map((i) => i.to)).toEqual(["/"]);
  });
});
