import { describe, expect, it } from "vitest";
import { IdempotencyKeys } from "./idempotency.js";

describe("idempotency keys", () => {
  it("repeats the key for the same request and makes a new one when it changes or succeeded", () => {
    let n = 0;
    const keys = new IdempotencyKeys(() => `k${++n}`);
    expect(keys.keyFor({ name: "Gala", amount: 5n })).toBe("k1");
    expect(keys.keyFor({ name: "Gala", amount: 5n })).toBe("k1");
    expect(keys.keyFor({ name: "Gala", amount: 6n })).toBe("k2");
    keys.done();
    expect(keys.keyFor({ name: "Gala", amount: 6n })).toBe("k3");
  });
});
