import { describe, expect, it } from "vitest";
import { sectionOf, sectionsFor } from "./sections.js";

describe("admin sections", () => {
  it("shows each section only to holders of its permission", () => {
    expect(sectionsFor(["admin:keys"]).map((s) => s.key)).toEqual(["apiKeys"]);
    expect(sectionsFor(["admin:users", "admin:audit"]).map((s) => s.key)).toEqual([
      "users", "invitations", "roles", "sso", "securityLog",
    ]);
    expect(sectionsFor(["inventory:read"])).toEqual([]);
  });

  it("finds the section of a nested page", () => {
    expect(sectionOf("/admin/users/0191")?.key).toBe("users");
    expect(sectionOf("/admin/webhooks")?.key).toBe("webhooks");
    expect(sectionOf("/admin/usersx")).toBeUndefined();
    expect(sectionOf("/admin")).toBeUndefined();
  });
});
