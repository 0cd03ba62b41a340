import { describe, expect, it } from "vitest";
import { newestFirst, parseActor, valueText } from "./historyValues.js";

describe("history values", () => {
  it("writes JSON values as text", () => {
    expect(valueText(undefined)).toBe("—");
    expect(valueText(null)).toBe("—");
    expect(valueText("available")).toBe("available");
    expect(valueText(2500)).toBe("2500");
    expect(valueText(false)).toBe("false");
    expect(valueText({ a: 1 })).toBe('{"a":1}');
  });
  it("tells who changed it", () => {
    expect(parseActor("user:u1", "u1")).toEqual({ kind: "me" });
    expect(parseActor("user:u2", "u1")).toEqual({ kind: "user", id: "u2" });
    expect(parseActor("api_key:k:1", "u1")).toEqual({ kind: "apiKey", id: "k:1" });
    expect(parseActor("system", "u1")).toEqual({ kind: "other", id: "system" });
  });
  it("orders newest first, later entries first on a tie", () => {
    const at = (s: number, id: string) => ({ id, createTime: { seconds: BigInt(s), nanos: 0 } });
    expect(newestFirst([at(1, "a"), at(3, "b"), at(3, "c"), at(2, "d")]).map((e) => e.id)).toEqual(["c", "b", "d", "a"]);
  });
});
