/**
 * What every browser test needs: Debian's Chromium through playwright-core (never a downloaded
 * browser), a fresh profile per test, the demo person's sign-in, screenshots into
 * web/test-results/ at the two sizes people use (laptop, phone), and an axe check that fails on
 * serious or critical findings. `e2e/run` sets EK_URL, EK_EMAIL and EK_PASSWORD.
 */
import AxeBuilder from "@axe-core/playwright";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

export const APP_URL = process.env.EK_URL ?? "http://127.0.0.1:8080";
export const EMAIL = process.env.EK_EMAIL ?? "admin@demo.eventkit.test";
export const PASSWORD = process.env.EK_PASSWORD ?? "";
const SHOTS = new URL("../test-results/", import.meta.url);
mkdirSync(SHOTS, { recursive: true });

export const VIEWPORTS = {
  laptop: { width: 1366, height: 800 },
  phone: { width: 390, height: 844 },
};

/** A browser for one test file; close it in `after`. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/**
 * A fresh context (no cookies, no storage) whose page fails the test on a console error or a
 * CSP violation: the app must run under its own policy.
 */
export async function openPage(browser, { viewport = VIEWPORTS.laptop, locale = "en-GB", timezoneId = "Europe/Vienna" } = {}) {
  const context = await browser.newContext({ viewport, locale, timezoneId, baseURL: APP_URL });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (message) => {
    // Failed requests are judged below, with their address.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      page.problems.push(message.text());
    }
  });
  page.on("response", (response) => {
    const path = new globalThis.URL(response.url()).pathname;
    // Unauthenticated answers are how the app learns nobody is signed in (GetMe, RefreshSession).
    const expected = response.status() === 401 || page.expectedFailures?.has(path);
    if (response.status() >= 400 && !expected) page.problems.push(`${response.status()} ${path}`);
  });
  page.on("pageerror", (error) => page.problems.push(String(error)));
  return page;
}

export function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], "console errors or CSP violations");
}

/** Signs in whatever the page's language (the fields are found by name, not by label). */
export async function signIn(page, email = EMAIL, password = PASSWORD) {
  await page.goto("/sign-in");
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.getByRole("navigation").first().waitFor();
}

export async function shot(page, name) {
  await page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, fullPage: false });
}

/** Fails on serious or critical accessibility findings, listing them. */
export async function assertAccessible(page, what) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
  assert.deepEqual(bad, [], `accessibility of ${what}`);
}
