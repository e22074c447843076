import { test, expect } from '@playwright/test';
import { hydrated } from '../../fixtures/auth';

// dave@acme.test exists only for this test (scripts/e2e-server): its failures touch no one else.
test('after five wrong passwords the form says how long to wait, in words', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  const alert = page.getByRole('alert');
  for (let i = 1; i <= 5; i++) {
    await page.getByLabel('E-mail address').fill('dave@acme.test');
    await page.getByLabel('Password', { exact: true }).fill(`wrong guess ${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(alert).toHaveText('That e-mail and password do not match an account. Check them and try again.');
    await page.getByLabel('Password', { exact: true }).fill('');
  }
  await page.getByLabel('Password', { exact: true }).fill('e2e-password-12');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(alert).toHaveText(/^Too many attempts\. Try again in \d+ seconds\.$/);
  await expect(page).toHaveURL(/\/login/);
});
