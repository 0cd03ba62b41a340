import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { LocationKind, LocationSchema } from "../../gen/eventkit/v1/inventory_pb.js";
import { EventSchema } from "../../gen/eventkit/v1/planning_pb.js";
import { LineProgressSchema } from "../../gen/eventkit/v1/scanning_pb.js";
import { lineOpen, locationChoices, matchEvents, orderLines, progressTotals } from "./choices.js";

const event = (name: string, start: number, clientName = "", venue = "") =>
  create(EventSchema, { id: name, name, clientName, venue, period: { start: { seconds: BigInt(start) } } });

describe("event search", () => {
  const events = [event("Gala", 300, "ACME", "Town hall"), event("Festival", 100, "Rock AG"), event("Gala dinner", 200)];

  it("sorts by start and matches every word in name, client or venue", () => {
    expect(matchEvents(events, "").map((e) => e.name)).toEqual(["Festival", "Gala dinner", "Gala"]);
    expect(matchEvents(events, "gala").map((e) => e.name)).toEqual(["Gala dinner", "Gala"]);
    expect(matchEvents(events, "gala town").map((e) => e.name)).toEqual(["Gala"]);
    expect(matchEvents(events, "rock").map((e) => e.name)).toEqual(["Festival"]);
  });
});

describe("location choices", () => {
  it("labels locations with their path and survives a loop", () => {
    const locations = [
      create(LocationSchema, { id: "w", name: "Main", kind: LocationKind.WAREHOUSE }),
      create(LocationSchema, { id: "z", name: "Lighting", kind: LocationKind.ZONE, parentId: "w" }),
      create(LocationSchema, { id: "b", name: "Bin 3", kind: LocationKind.BIN, parentId: "z" }),
      create(LocationSchema, { id: "x", name: "Loop", parentId: "y" }),
      create(LocationSchema, { id: "y", name: "Back", parentId: "x" }),
    ];
    expect(locationChoices(locations).map((c) => c.label)).toEqual([
      "Back › Loop",
      "Loop › Back",
      "Main",
      "Main › Lighting",
      "Main › Lighting › Bin 3",
    ]);
  });
});

describe("event progress", () => {
  const lines = [
    create(LineProgressSchema, { lineId: "1", quantity: 4, outQuantity: 4, returnedQuantity: 1, missingQuantity: 3 }),
    create(LineProgressSchema, { lineId: "2", quantity: 2, outQuantity: 1 }),
    create(LineProgressSchema, { lineId: "3", quantity: 1, outQuantity: 1, returnedQuantity: 1 }),
  ];

  it("adds up what was asked, went out, came back and is missing", () => {
    expect(progressTotals(lines)).toEqual({ asked: 7, out: 6, returned: 2, missing: 3, consumed: 0, toGo: 1 });
  });

  it("puts the lines still to scan first", () => {
    expect(lines.map((l) => lineOpen(l, "checkOut"))).toEqual([false, true, false]);
    expect(orderLines(lines, "checkOut").map((l) => l.lineId)).toEqual(["2", "1", "3"]);
    expect(orderLines(lines, "checkIn").map((l) => l.lineId)).toEqual(["1", "2", "3"]);
  });
});
