import { test, expect } from '@playwright/test';
import { hydrated, signIn, users, DEMO_PASSWORD } from '../../fixtures/auth';

test('a link to a notice, opened while signed out, leads there after signing in', async ({ page, browser, baseURL }) => {
  // Find a notice of Acme's, as a link in a mail would name it.
  const context = await browser.newContext({ baseURL });
  const alice = await context.newPage();
  await signIn(alice, users.alice);
  await alice.goto('/notices?category=phishing');
  const href = (await alice.getByRole('link', { name: /Notice #\d+/ }).first().getAttribute('href'))!;
  await context.close();

  await page.goto(`${href}?from=mail`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await hydrated(page);
  await expect(page.getByText('Sign in to continue to the page you asked for.')).toBeVisible();
  await page.getByLabel('E-mail address').fill(users.alice);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${href}?from=mail`);
  await expect(page.getByRole('heading', { level: 1, name: 'Phishing or scam' })).toBeVisible();
});
