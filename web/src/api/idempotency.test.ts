import { describe, expect, it } from "vitest";
import { idempotencyKeys } from "./idempotency.js";

function counter() {
  let n = 0;
  return () => `k${++n}`;
}

describe("idempotency keys", () => {
  it("keeps the key for a retried request and changes it for another", () => {
    const keys = idempotencyKeys(counter());
    const key = (r: unknown) => keys.options(r).headers["Idempotency-Key"];
    expect(key({ email: "a@b.c", roleIds: ["r1"] })).toBe("k1");
    expect(key({ email: "a@b.c", roleIds: ["r1"] })).toBe("k1");
    expect(key({ email: "a@b.c", roleIds: ["r2"] })).toBe("k2");
    expect(key({ amount: 5n })).toBe("k3");
    expect(key({ email: "a@b.c", roleIds: ["r1"] })).toBe("k1");
  });

  it("starts afresh after a success", () => {
    const keys = idempotencyKeys(counter());
    keys.options({ id: "x" });
    keys.settle();
    expect(keys.options({ id: "x" }).headers["Idempotency-Key"]).toBe("k2");
  });

  it("repeats the key for the same request and makes a new one when it changes or succeeded", () => {
    const keys = idempotencyKeys(counter());
    const key = (r: unknown) => keys.options(r).headers["Idempotency-Key"];
    expect(key({ name: "Gala", amount: 5n })).toBe("k1");
    expect(key({ name: "Gala", amount: 5n })).toBe("k1");
    expect(key({ name: "Gala", amount: 6n })).toBe("k2");
    keys.settle();
    expect(key({ name: "Gala", amount: 6n })).toBe("k3");
  });
});
