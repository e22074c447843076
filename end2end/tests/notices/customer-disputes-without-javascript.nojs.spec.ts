import { test, expect } from '@playwright/test';
import { signIn, users } from '../../fixtures/auth';

test('a customer disputes a notice with JavaScript off, and a short reason is explained', async ({ page }) => {
  await signIn(page, users.alice, { javaScript: false });
  await page.goto('/notices?category=brute_force');
  await page.getByRole('link', { name: /Notice #\d+/ }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Brute force or password cracking' })).toBeVisible();
  await expect(page.getByTestId('countdown').first()).toHaveText(/^overdue by/);
  await page.getByLabel('Why is the notice wrong?').fill('not us');
  await page.getByRole('button', { name: 'Send dispute' }).click();
  await expect(page.locator('#dispute-reasons-error')).toHaveText(
    'Explain in at least 20 characters why you think the notice is wrong.',
  );
  await page.getByLabel('Why is the notice wrong?').fill('That GPU server was powered off all week; see our billing records.');
  await page.getByRole('button', { name: 'Send dispute' }).click();
  await expect(page.getByText("Waiting for the abuse desk's decision.")).toBeVisible();
  await expect(page.getByText(/Overdue → Disputed/)).toBeVisible();
});
