import { test, expect } from '@playwright/test';
import { hydrated } from '../../fixtures/auth';

test('the sign-in page hydrates: showing the password works without a page load', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  // A marker on window survives only if the page is not reloaded.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('secret words');
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show password' }).click();
  await expect(password).toHaveAttribute('type', 'text');
  await expect(page.getByRole('button', { name: 'Hide password' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'Hide password' }).click();
  await expect(password).toHaveAttribute('type', 'password');
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});
