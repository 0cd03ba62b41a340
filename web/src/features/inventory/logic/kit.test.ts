import { describe, expect, it } from "vitest";
import { addComponent, kitProblems, removeComponent, setQuantity } from "./kit.js";

describe("kit editing", () => {
  it("adds a product once, raising its count when added again", () => {
    let list = addComponent([], "p1");
    list = addComponent(list, "p2", 4);
    list = addComponent(list, "p1", 2);
    expect(list).toEqual([{ productId: "p1", quantity: 3 }, { productId: "p2", quantity: 4 }]);
    expect(addComponent(list, "")).toEqual(list);
  });
  it("changes and removes components", () => {
    const list = setQuantity([{ productId: "p1", quantity: 1 }, { productId: "p2", quantity: 1 }], "p2", 8);
    expect(list[1]?.quantity).toBe(8);
    expect(removeComponent(list, "p1")).toEqual([{ productId: "p2", quantity: 8 }]);
  });
  it("finds what the API would refuse", () => {
    const list = [{ productId: "k", quantity: 1 }, { productId: "a", quantity: 0 }, { productId: "b", quantity: 1.5 }, { productId: "c", quantity: 100_001 }];
    expect(kitProblems("k", list)).toEqual({ badQuantity: ["a", "b", "c"], containsItself: true });
    expect(kitProblems("k", [{ productId: "a", quantity: 2 }])).toEqual({ badQuantity: [], containsItself: false });
  });
  it("caps a raised count", () => {
    expect(addComponent([{ productId: "a", quantity: 99_999 }], "a", 5)[0]?.quantity).toBe(100_000);
  });
});
