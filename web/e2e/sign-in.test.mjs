/**
 * Getting in and finding one's way, as the demo person: sign-in (a wrong password first), the
 * dashboard with the demo's events and shortages, the assets table and its search, German
 * dates, the phone layout, sign-out — with nothing secret left in the browser's storage.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  APP_URL, PASSWORD, VIEWPORTS, assertAccessible, assertNoProblems, launch, openPage, shot, signIn,
} from "./browser.mjs";

let browser;
before(async () => {
  assert.ok(PASSWORD, "EK_PASSWORD is set by e2e/run");
  browser = await launch();
});
after(() => browser?.close());

test("a signed-out visitor lands on the sign-in page, and a wrong password says so", async () => {
  const page = await openPage(browser);
  await page.goto("/events");
  await page.waitForURL(/\/sign-in$/);
  await assertAccessible(page, "the sign-in page");
  await page.getByLabel("Email").fill("admin@demo.eventkit.test");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "The email or password is not right." }).waitFor();
  await shot(page, "sign-in-error-laptop");
  assertNoProblems(page);
  await page.context().close();
});

test("the demo person sees upcoming events, shortages, overdue returns, repairs and low stock, then the assets", async () => {
  const page = await openPage(browser);
  await signIn(page);
  const upcoming = page.getByRole("region", { name: "Upcoming events" });
  await upcoming.getByText("Product launch Aurora").waitFor();
  const shortages = page.getByRole("region", { name: "Shortages" });
  await shortages.getByText("Moving head spot 350W").first().waitFor();
  await page.getByRole("region", { name: "Overdue returns" }).getByText("Club night Volksgarten").waitFor();
  await page.getByRole("region", { name: "In maintenance" }).getByText("MH-0008").waitFor();
  await page.getByRole("region", { name: "Low stock" }).getByText("Gaffer tape black 50 mm").waitFor();
  await assertAccessible(page, "the dashboard");
  await shot(page, "dashboard-laptop");

  await page.getByRole("link", { name: "Assets" }).click();
  await page.getByText("MH-0001").waitFor();
  await page.getByRole("searchbox").fill("PAR-0012");
  await page.getByText("PAR-0012").waitFor();
  await assert.rejects(page.getByText("MH-0001").waitFor({ timeout: 1500 }), "the search leaves MH-0001 out");
  await assertAccessible(page, "the assets table");
  await shot(page, "assets-laptop");

  // Cookies carry the session; nothing secret is kept where scripts can read it.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  assert.doesNotMatch(stored, /ek[a-z]?_|eyJ|refresh|token/i, "no token in web storage");
  const cookies = await page.context().cookies(APP_URL);
  const session = cookies.filter((c) => !c.name.includes("csrf"));
  assert.ok(session.length > 0 && session.every((c) => c.httpOnly), "session cookies are HttpOnly");
  assertNoProblems(page);
  await page.context().close();
});

test("a German browser gets the app in German, with dates as dd.MM.yyyy", async () => {
  const page = await openPage(browser, { locale: "de-AT" });
  await page.goto("/sign-in");
  await page.getByRole("heading", { name: "Bei EventKit anmelden" }).waitFor();
  await signIn(page);
  await page.getByRole("heading", { name: "Übersicht" }).waitFor();
  const upcoming = page.getByRole("region", { name: "Anstehende Veranstaltungen" });
  await upcoming.getByText("Product launch Aurora").waitFor();
  const text = await upcoming.innerText();
  assert.match(text, /\b\d{2}\.\d{2}\.\d{4}\b/, "a German date");
  await shot(page, "dashboard-de-laptop");
  assertNoProblems(page);
  await page.context().close();
});

test("on a phone, the dashboard and the assets fit the screen; sign-out ends the session", async () => {
  const page = await openPage(browser, { viewport: VIEWPORTS.phone });
  await signIn(page);
  await page.getByRole("region", { name: "Upcoming events" }).getByText("Product launch Aurora").waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the dashboard scrolls sideways by ${overflow}px`);
  await shot(page, "dashboard-phone");
  await page.goto("/assets");
  await page.getByText("MH-0001").waitFor();
  await shot(page, "assets-phone");
  await page.getByRole("button", { name: /^Account menu of/ }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/sign-in$/);
  await page.goto("/");
  await page.waitForURL(/\/sign-in$/);
  assertNoProblems(page);
  await page.context().close();
});
