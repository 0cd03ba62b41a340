import { describe, expect, it } from "vitest";
import { choiceState, eventGroups, EVENT_TYPES, toggleEventType } from "./eventTypes.js";

describe("webhook event types", () => {
  it("groups types by entity in catalogue order", () => {
    const groups = eventGroups(["product.created", "product.updated", "stock.low"]);
    expect(groups).toEqual([
      { entity: "product", wildcard: "product.*", types: ["product.created", "product.updated"] },
      { entity: "stock", wildcard: "stock.*", types: ["stock.low"] },
    ]);
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
  });

  it("shows types covered by a wider choice", () => {
    expect(choiceState(["product.*"], "product.created")).toBe("covered");
    expect(choiceState(["product.*"], "product.*")).toBe("chosen");
    expect(choiceState(["*"], "asset.*")).toBe("covered");
    expect(choiceState(["product.*"], "stock_level.created")).toBe("off");
    expect(choiceState(["product.created"], "product.updated")).toBe("off");
  });

  it("drops narrower choices when a wider one is made", () => {
    expect(toggleEventType(["product.created", "asset.created"], "product.*", true)).toEqual([
      "asset.created", "product.*",
    ]);
    expect(toggleEventType(["product.*", "asset.created"], "*", true)).toEqual(["*"]);
    expect(toggleEventType(["product.*"], "product.*", false)).toEqual([]);
    expect(toggleEventType(["a.b"], "a.b", true)).toEqual(["a.b"]);
  });
});
