/**
 * Planning as a planner uses it on the demo: the gala's pull list says the moving heads are
 * short and why (the product launch holds them), and the calendar shows the coming events.
 */
import { after, before, test } from "node:test";
import { VIEWPORTS, assertAccessible, assertNoProblems, launch, openPage, shot, signIn } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(() => browser?.close());

test("a short pull-list line says why, naming the event that holds the stock", async () => {
  const page = await openPage(browser);
  await signIn(page);
  await page.goto("/events");
  await page.getByRole("link", { name: "Charity gala" }).click();
  await page.getByText("Moving head spot 350W").first().waitFor();
  await page.getByText(/2 short/).first().waitFor();
  await page.getByRole("button", { name: "Why Moving head spot 350W is short" }).click();
  await page.getByRole("link", { name: "Product launch Aurora" }).first().waitFor();
  await assertAccessible(page, "the event detail");
  await shot(page, "event-detail-laptop");
  assertNoProblems(page);
  await page.context().close();
});

test("the calendar shows the month's events, on a phone as an agenda", async () => {
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    const page = await openPage(browser, { viewport });
    await signIn(page);
    await page.goto("/calendar");
    await page.getByRole("link", { name: /Product launch Aurora/ }).first().waitFor();
    await shot(page, `calendar-${name}`);
    assertNoProblems(page);
    await page.context().close();
  }
});
