/**
 * CSV export done in the browser: RFC 4180 quoting, CRLF lines, and cells that a spreadsheet
 * would run as a formula (`=`, `+`, `@`, `-` before a non-number) defused with a leading `'`.
 */
const NUMBER = /^-?\d+([.,]\d+)?$/;

export function csvCell(value: string): string {
  let text = value;
  if (/^[=+@\t\r]/.test(text) || (text.startsWith("-") && !NUMBER.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** A file name safe on every system: `assets-2026-05-01.csv`. */
export function csvFileName(base: string, when: Date): string {
  const day = when.toISOString().slice(0, 10);
  return `${base.replace(/[^\w-]+/g, "-")}-${day}.csv`;
}

/** Saves the text as a download (with a BOM so spreadsheet programs read UTF-8). */
export function downloadCsv(fileName: string, text: string) {
  const url = URL.createObjectURL(new Blob(["\uFEFF", text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
