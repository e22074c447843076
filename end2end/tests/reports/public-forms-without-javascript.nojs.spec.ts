import { test, expect } from '@playwright/test';

test('without JavaScript, a refused report comes back with what was typed and the reason next to the field', async ({ page }) => {
  await page.goto('/report');
  await expect(page.getByRole('heading', { level: 1, name: 'Report abuse from our network' })).toBeVisible();
  await page.waitForTimeout(3_100);
  const description = 'Port scans against our whole /24 on TCP 22 for an hour this morning, about 40,000 packets.';
  await page.getByLabel('Your e-mail address').fill('nojs@example.org');
  await page.getByLabel('IP address the abuse came from').fill('not-an-address');
  await page.getByLabel('What kind of abuse').selectOption({ label: 'Network scanning' });
  await page.getByLabel('What happened').fill(description);
  await page.getByRole('button', { name: 'Send the report' }).click();

  // The page reloads: the reason is next to its field, and nothing typed is lost.
  await expect(page.locator('#report-address-error')).toContainText('IP address');
  await expect(page.getByLabel('Your e-mail address')).toHaveValue('nojs@example.org');
  await expect(page.getByLabel('IP address the abuse came from')).toHaveValue('not-an-address');
  await expect(page.getByLabel('What kind of abuse')).toHaveValue('scanning');
  await expect(page.getByLabel('What happened')).toHaveValue(description);

  // Corrected, it goes through.
  await page.waitForTimeout(3_100);
  await page.getByLabel('IP address the abuse came from').fill('203.0.113.27');
  await page.getByRole('button', { name: 'Send the report' }).click();
  await expect(page).toHaveURL(/\/report\/received\/AR-\d{6}$/);

  // The kept text was shown once: a fresh form is empty.
  await page.goto('/report');
  await expect(page.getByLabel('What happened')).toHaveValue('');
});
