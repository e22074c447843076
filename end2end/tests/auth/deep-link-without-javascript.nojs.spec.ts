import { test, expect } from '@playwright/test';
import { users, DEMO_PASSWORD } from '../../fixtures/auth';

test('without JavaScript a deep link also survives signing in', async ({ page }) => {
  await page.goto('/services?after=');
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel('E-mail address').fill(users.bob);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/services/);
  await expect(page.getByRole('heading', { level: 1, name: 'Services' })).toBeVisible();
});
