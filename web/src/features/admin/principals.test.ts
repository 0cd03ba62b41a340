import { describe, expect, it } from "vitest";
import { principal } from "./principals.js";

const names = { users: new Map([["u1", "Alex Demo"]]), apiKeys: new Map([["k1", "Scanners"]]) };

describe("principal", () => {
  it("names known members and keys", () => {
    expect(principal("user:u1", names)).toEqual({ kind: "user", name: "Alex Demo" });
    expect(principal("api_key:k1", names)).toEqual({ kind: "apiKey", name: "Scanners" });
    expect(principal("system", names)).toEqual({ kind: "system" });
  });

  it("keeps what it does not know as it is", () => {
    expect(principal("user:gone", names)).toEqual({ kind: "other", text: "user:gone" });
    expect(principal("someone@example.com", names)).toEqual({ kind: "other", text: "someone@example.com" });
  });
});
