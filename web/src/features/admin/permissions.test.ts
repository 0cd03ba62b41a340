import { describe, expect, it } from "vitest";
import { canGrant, holdsAll, permissionChoices, permissionKey } from "./permissions.js";

describe("permission choices", () => {
  it("groups the held and the roles' permissions, granting only held ones", () => {
    const groups = permissionChoices(
      ["inventory:read", "admin:users"],
      [{ permissions: ["*"] }, { permissions: ["inventory:read", "inventory:write", "planning:read"] }],
    );
    expect(groups).toEqual([
      { group: "admin", choices: [{ name: "admin:users", grantable: true }] },
      {
        group: "inventory",
        choices: [
          { name: "inventory:read", grantable: true },
          { name: "inventory:write", grantable: false },
        ],
      },
      { group: "planning", choices: [{ name: "planning:read", grantable: false }] },
    ]);
  });

  it("makes catalogue keys without separators", () => {
    expect(permissionKey("inventory:read")).toBe("inventory_read");
    expect(permissionKey("*")).toBe("all");
  });
});

describe("grants", () => {
  it("allows only held permissions, and * only to those holding all", () => {
    const roles = [{ permissions: ["inventory:read", "planning:read"] }];
    const some = permissionChoices(["inventory:read"], roles);
    const every = permissionChoices(["inventory:read", "planning:read"], roles);
    expect(holdsAll(some)).toBe(false);
    expect(holdsAll(every)).toBe(true);
    expect(canGrant(["inventory:read"], ["inventory:read"], false)).toBe(true);
    expect(canGrant(["planning:read"], ["inventory:read"], false)).toBe(false);
    expect(canGrant(["*"], ["inventory:read"], false)).toBe(false);
    expect(canGrant(["*"], ["inventory:read", "planning:read"], true)).toBe(true);
  });
});
