import { test } from '@playwright/test';
import { acmeNoticePath, expectNotFoundForBob } from '../../fixtures/cases';

test("without JavaScript, another organisation's notice is not found either", async ({ page, browser, baseURL }) => {
  const path = await acmeNoticePath(browser, baseURL!);
  await expectNotFoundForBob(page, path, false);
});
