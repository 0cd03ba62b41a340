/** The SSO form's allowed domains: typed as a list separated by commas, spaces or lines. */
export function parseDomains(text: string): string[] {
  const domains = text
    .split(/[\s,;]+/)
    .map((d) => d.trim().toLowerCase().replace(/^@/, "").replace(/\.$/, ""))
    .filter(Boolean);
  return [...new Set(domains)];
}
