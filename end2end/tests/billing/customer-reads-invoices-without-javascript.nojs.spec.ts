import { test, expect } from '@playwright/test';
import { signIn, users } from '../../fixtures/auth';

// The demo: Acme's spam case was invoiced and paid by bank transfer; Globex's suspended DDoS
// case waits for its invoice although the evidence is accepted.
test('without JavaScript a customer reads what is owed and paid, an invoice and its receipt', async ({ page }) => {
  await signIn(page, users.alice, { javaScript: false });
  await page.goto('/billing');
  await expect(page.getByRole('group', { name: 'Totals' })).toContainText('USD 5,120.00');
  const paid = page.getByRole('row', { name: /Invoice \d{4}-\d{4}/ }).filter({ hasText: 'mail-01.acme.test' });
  await expect(paid).toContainText('Paid');
  await paid.getByRole('link', { name: /Invoice/ }).click();
  await expect(page.getByText('Paid: nothing is left to pay.')).toBeVisible();
  await expect(page.getByRole('article')).toContainText('Liquidated damages: 5,120 verified abuse events at USD 1.00 each');
  await page.getByRole('link', { name: /^Receipt R-\d{4}-\d{4}$/ }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'USD 5,120.00 received with thanks' })).toBeVisible();
  await expect(page.getByRole('article')).toContainText('Bank transfer');
});

test('without JavaScript the suspended demo service says what still holds it', async ({ page }) => {
  await signIn(page, users.bob, { javaScript: false });
  await page.goto('/services');
  await page.getByRole('link', { name: 'edge-03.globex.test' }).click();
  const reactivation = page.getByRole('region', { name: 'Reactivation' });
  await expect(reactivation).toContainText('Remediation evidence accepted');
  await expect(reactivation).toContainText(/Invoice \d{4}-\d{4} unpaid: USD 750\.00/);
  await reactivation.getByRole('link', { name: /case #\d+/ }).click();
  await expect(page.getByRole('region', { name: 'Billing' })).toContainText('Unpaid');
});
