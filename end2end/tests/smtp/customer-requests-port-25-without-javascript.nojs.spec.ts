import { test, expect } from '@playwright/test';
import { signIn } from '../../fixtures/auth';

test('with JavaScript off the port-25 form shows problems next to their fields and keeps the draft', async ({ page }) => {
  await signIn(page, 'dave@acme.test', { password: 'e2e-password-12', javaScript: false });
  await page.goto('/smtp/new');
  // By value (service 2, app-02): the flow test running beside this one may approve the
  // address, which changes its label but not what this test does with it.
  await page.getByLabel('Address to open port 25 on').selectOption('2/203.0.113.11');
  await page.getByLabel('A mail server for my own domains').check();
  await page.getByLabel('Sending domains').fill('shop.acme.test');
  await page.getByLabel('Messages per day').fill('a lot');
  await page.getByLabel('How recipients consented').fill('Customers who place an order receive its receipt.');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await expect(page.locator('#smtp-daily-error')).toContainText('Give the expected messages per day as a number');
  await expect(page.locator('#smtp-helo-error')).toContainText('fully qualified name');
  // Everything typed came back from the draft.
  await expect(page.getByLabel('Sending domains')).toHaveValue('shop.acme.test');
  await expect(page.getByLabel('How recipients consented')).toHaveValue('Customers who place an order receive its receipt.');
  await expect(page.getByLabel('A mail server for my own domains')).toBeChecked();
  await expect(page.getByLabel('Address to open port 25 on')).toHaveValue(/\/203\.0\.113\.11$/);

  // The DNS checks run on request, and say in words what to change.
  await page.getByLabel('Messages per day').fill('500');
  await page.getByLabel('Peak messages per hour').fill('50');
  await page.getByLabel('Bounces, complaints and unsubscribes').fill('Bounces are processed daily and complaints suppress the address.');
  await page.getByLabel('Mail software').fill('Postfix 3.7');
  await page.getByLabel('HELO name').fill('mail.shop.acme.test');
  await page.getByLabel('DKIM selector').fill('s1');
  await page.getByLabel('Why an authenticated relay on port 587 will not do').fill('We run our own mail server for our own domains.');
  await page.getByLabel('I confirm these obligations for this address').check();
  await page.getByRole('button', { name: 'Check my DNS records' }).click();
  const checks = page.getByRole('region', { name: 'DNS checks' });
  await expect(checks).toContainText('Demo mode');
  await expect(checks).toContainText('mail.shop.acme.test resolves to 203.0.113.11.');
  await expect(checks).toContainText('DMARC policy p=none (inherited from acme.test)');
  await expect(page.getByLabel('HELO name')).toHaveValue('mail.shop.acme.test');
});
