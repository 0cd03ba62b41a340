import { describe, expect, it } from "vitest";
import { runEach } from "./batch.js";

describe("runEach", () => {
  it("goes on after a failure and reports progress", async () => {
    const seen: string[] = [];
    const result = await runEach(
      ["a", "b", "c"],
      async (item) => {
        if (item === "b") throw new Error("no");
      },
      (finished, total) => seen.push(`${finished}/${total}`),
    );
    expect(result.done).toEqual(["a", "c"]);
    expect(result.failed.map((f) => f.item)).toEqual(["b"]);
    expect(seen).toEqual(["1/3", "2/3", "3/3"]);
  });
});
