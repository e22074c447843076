import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn } from '../../fixtures/auth';

async function expectNoViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

test('a customer sees where they are signed in, ends another session, then signs out everywhere', async ({ browser, baseURL }) => {
  // erin@acme.test exists only for this test (scripts/e2e-server): signing out everywhere ends no
  // other test's session.
  const erin = 'erin@acme.test';
  const password = 'e2e-password-12';
  const laptop = await (await browser.newContext({ baseURL })).newPage();
  const phone = await (await browser.newContext({ baseURL, userAgent: 'Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36' })).newPage();
  const tablet = await (await browser.newContext({ baseURL })).newPage();
  await signIn(laptop, erin, { password });
  await signIn(phone, erin, { password });
  await signIn(tablet, erin, { password });

  await laptop.getByRole('link', { name: erin }).click();
  await expect(laptop).toHaveURL('/account/sessions');
  await hydrated(laptop);
  await expect(laptop.getByRole('heading', { level: 1, name: 'Your sessions' })).toBeVisible();
  const rows = laptop.getByRole('table', { name: 'Your sessions' }).getByRole('row');
  await expect(rows.filter({ hasText: 'This device' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'Chrome on Android' })).toHaveCount(1);
  await expect(rows.filter({ hasText: '127.0.0.1' }).first()).toBeVisible();
  await expectNoViolations(laptop);

  await laptop.getByRole('button', { name: 'End session: Chrome on Android from 127.0.0.1' }).click();
  await expect(rows.filter({ hasText: 'Chrome on Android' })).toHaveCount(0);
  await phone.goto('/notices');
  await expect(phone).toHaveURL(/\/login/);

  await tablet.goto('/');
  await expect(tablet).toHaveURL('/');
  await laptop.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(laptop).toHaveURL(/\/login/);
  await expect(laptop.getByRole('status')).toHaveText('You have signed out on every device.');
  await tablet.goto('/');
  await expect(tablet).toHaveURL(/\/login/);
});
