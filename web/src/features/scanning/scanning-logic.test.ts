import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { ScanOutcome, ScanResultSchema } from "../../gen/eventkit/v1/scanning_pb.js";
import { feedbackForError, feedbackForResult, toneOf } from "./outcome.js";
import { recentReducer, RECENT_LIMIT, type RecentScan } from "./recentScans.js";
import { RepeatFilter } from "./repeatFilter.js";

describe("scan feedback", () => {
  it("says what a done scan did, per mode", () => {
    const result = create(ScanResultSchema, { outcome: ScanOutcome.DONE, quantity: 3, message: "3 units out" });
    expect(feedbackForResult(result, "checkOut")).toEqual({
      tone: "ok",
      title: "outcome.DONE_checkOut",
      values: { count: 3 },
      detail: "3 units out",
    });
    expect(feedbackForResult(result, "stocktake").title).toBe("outcome.DONE_stocktake");
  });

  it("counts the assets a case scan moved", () => {
    const result = create(ScanResultSchema, { outcome: ScanOutcome.DONE, assetIds: ["a", "b"] });
    expect(feedbackForResult(result, "checkIn").values).toEqual({ count: 2 });
  });

  it("marks repeats as warnings and wrong scans as problems", () => {
    expect(toneOf(ScanOutcome.ALREADY_OUT)).toBe("warn");
    expect(toneOf(ScanOutcome.NOT_EXPECTED)).toBe("warn");
    expect(toneOf(ScanOutcome.OTHER_EVENT)).toBe("problem");
    expect(toneOf(ScanOutcome.UNKNOWN_CODE)).toBe("problem");
    expect(toneOf(ScanOutcome.NOT_ON_PULL_LIST)).toBe("problem");
    const unknown = feedbackForResult(create(ScanResultSchema, { outcome: ScanOutcome.UNKNOWN_CODE }), "checkOut");
    expect(unknown.title).toBe("outcome.UNKNOWN_CODE");
    expect(unknown.detail).toBeUndefined();
  });

  it("treats a missing answer as a problem", () => {
    expect(feedbackForResult(undefined, "checkOut")).toMatchObject({ tone: "problem", title: "outcome.UNSPECIFIED" });
  });

  it("maps API errors, preferring a field's message", () => {
    const closed = feedbackForError(new ConnectError("the stocktake is closed", Code.FailedPrecondition));
    expect(closed).toEqual({ tone: "problem", title: "error.failed_precondition", detail: "the stocktake is closed" });
    expect(feedbackForError(new ConnectError("boom", Code.DataLoss)).title).toBe("error.other");
  });
});

describe("recent scans", () => {
  const scan = (id: string, madeAt: number, title = "outcome.QUEUED"): RecentScan => ({
    id,
    code: id.toUpperCase(),
    mode: "checkOut",
    madeAt,
    feedback: { tone: "queued", title },
  });

  it("lists the newest first and keeps the last fifty", () => {
    let state: RecentScan[] = [];
    for (let i = 0; i < RECENT_LIMIT + 5; i++) state = recentReducer(state, { type: "add", scan: scan(`s${i}`, i) });
    expect(state).toHaveLength(RECENT_LIMIT);
    expect(state[0]?.id).toBe(`s${RECENT_LIMIT + 4}`);
  });

  it("updates a queued scan in place when its answer comes", () => {
    let state = recentReducer([], { type: "add", scan: scan("a", 1) });
    state = recentReducer(state, { type: "add", scan: scan("b", 2) });
    state = recentReducer(state, { type: "settle", scan: { ...scan("a", 99, "outcome.DONE_checkOut"), later: true } });
    expect(state.map((s) => [s.id, s.feedback.title, s.madeAt, s.later])).toEqual([
      ["b", "outcome.QUEUED", 2, undefined],
      ["a", "outcome.DONE_checkOut", 1, true],
    ]);
  });

  it("adds restored and late answers in time order without duplicates", () => {
    let state = recentReducer([], { type: "add", scan: scan("c", 10) });
    state = recentReducer(state, { type: "restore", scans: [scan("a", 1), scan("c", 10), scan("b", 5)] });
    expect(state.map((s) => s.id)).toEqual(["c", "b", "a"]);
    state = recentReducer(state, { type: "settle", scan: scan("z", 7) });
    expect(state.map((s) => s.id)).toEqual(["c", "z", "b", "a"]);
  });
});

describe("camera repeat filter", () => {
  it("counts a code once while it stays in view", () => {
    const filter = new RepeatFilter(1500);
    expect(filter.accept("A1", 0)).toBe(true);
    expect(filter.accept("A1", 200)).toBe(false);
    expect(filter.accept("A1", 1600)).toBe(false);
  });

  it("counts it again after it was out of view for the window, and other codes at once", () => {
    const filter = new RepeatFilter(1500);
    filter.accept("A1", 0);
    expect(filter.accept("B2", 100)).toBe(true);
    expect(filter.accept("A1", 150)).toBe(true);
    expect(filter.accept("A1", 1700)).toBe(true);
  });
});

describe("settlements", () => {
  it("says a scan waits when it was queued", async () => {
    const { feedbackFor } = await import("./outcome.js");
    expect(feedbackFor({ kind: "queued" }, "checkIn")).toEqual({ tone: "queued", title: "outcome.QUEUED" });
    expect(feedbackFor({ kind: "answered", result: undefined }, "checkIn").tone).toBe("problem");
  });
});
