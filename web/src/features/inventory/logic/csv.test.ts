import { describe, expect, it } from "vitest";
import { csvCell, csvFileName, toCsv } from "./csv.js";

describe("csv", () => {
  it("quotes commas, quotes, line breaks and outer spaces", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('12" speaker')).toBe('"12"" speaker"');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(" padded")).toBe('" padded"');
    expect(csvCell("")).toBe("");
  });
  it("defuses formulas but keeps negative numbers", () => {
    expect(csvCell("=SUM(A1)")).toBe("'=SUM(A1)");
    expect(csvCell("+49 30")).toBe("'+49 30");
    expect(csvCell("@cmd")).toBe("'@cmd");
    expect(csvCell("-x")).toBe("'-x");
    expect(csvCell("-12,5")).toBe('"-12,5"');
    expect(csvCell("-3")).toBe("-3");
  });
  it("writes a header and rows with CRLF", () => {
    expect(toCsv(["Code", "Name"], [["A1", "Mover, big"], ["A2", "Par"]])).toBe('Code,Name\r\nA1,"Mover, big"\r\nA2,Par\r\n');
  });
  it("names the file by day", () => {
    expect(csvFileName("assets selection", new Date("2026-05-01T10:00:00Z"))).toBe("assets-selection-2026-05-01.csv");
  });
});
