/**
 * The command palette: Ctrl+K, a code, Enter, and the asset's page is open; an event by name.
 */
import { after, before, test } from "node:test";
import { assertAccessible, assertNoProblems, launch, openPage, shot, signIn } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(() => browser?.close());

test("Ctrl+K finds an asset by its code and an event by its name", async () => {
  const page = await openPage(browser);
  await signIn(page);
  await page.keyboard.press("Control+k");
  const input = page.getByRole("combobox", { name: "Find or go to" });
  await input.fill("MH-0001");
  await page.getByRole("option", { name: /MH-0001/ }).waitFor();
  await assertAccessible(page, "the command palette");
  await shot(page, "palette-laptop");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/assets\/[0-9a-f-]+$/);
  await page.getByText("MH-0001").first().waitFor();

  await page.keyboard.press("Control+k");
  await input.fill("gala");
  await page.getByRole("option", { name: /Charity gala/ }).click();
  await page.waitForURL(/\/events\/[0-9a-f-]+$/);
  await page.getByRole("heading", { name: "Charity gala" }).waitFor();
  assertNoProblems(page);
  await page.context().close();
});
