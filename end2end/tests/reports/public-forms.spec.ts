import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated } from '../../fixtures/auth';

async function noAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
}

test('anyone reports abuse without an account and gets a reference number', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('contentinfo').getByRole('link', { name: 'Report abuse' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Report abuse from our network' })).toBeVisible();
  await hydrated(page);
  await noAxeViolations(page);

  // Every problem is named next to its field.
  await page.waitForTimeout(3_100);
  await page.getByRole('button', { name: 'Send the report' }).click();
  await expect(page.locator('#report-email-error')).toContainText('e-mail address');
  await expect(page.locator('#report-address-error')).toContainText('IP address');
  await expect(page.locator('#report-category-error')).toContainText('Choose');
  await expect(page.locator('#report-description-error')).toContainText('at least 20');
  await noAxeViolations(page);

  await page.getByLabel('Your e-mail address').fill('ann@example.org');
  await page.getByLabel('IP address the abuse came from').fill('203.0.113.26');
  await page.getByLabel('What kind of abuse').selectOption({ label: 'Network scanning' });
  await page.getByLabel('What happened').fill('Port scans against our whole /24 on TCP 22 for an hour this morning.');
  await page.getByRole('button', { name: 'Send the report' }).click();
  await expect(page).toHaveURL(/\/report\/received\/AR-\d{6}$/);
  await expect(page.getByRole('heading', { level: 1, name: 'We have received your report' })).toBeVisible();
  await expect(page.locator('.reference')).toHaveText(/^AR-\d{6}$/);
  await noAxeViolations(page);
});

test('a DSA notice needs every Article 16 element, then gets a DSA reference', async ({ page }) => {
  await page.goto('/report/dsa');
  await hydrated(page);
  await noAxeViolations(page);
  await page.waitForTimeout(3_100);
  await page.getByLabel('Why the content is illegal').fill('The page sells counterfeit medicines, which is illegal under national law.');
  await page.getByLabel('Exact location').fill('http://192.0.2.33/shop/item?id=4');
  await page.getByLabel('Your name').fill('Bea Notifier');
  await page.getByLabel('Your e-mail address').fill('bea@example.org');
  await page.getByRole('button', { name: 'Send the notice' }).click();
  await expect(page.locator('#dsa-good-faith-error')).toContainText('good faith');
  await page.getByLabel(/I believe in good faith/).check();
  await page.getByRole('button', { name: 'Send the notice' }).click();
  await expect(page).toHaveURL(/\/report\/received\/DSA-\d{6}$/);
  await expect(page.locator('.reference')).toHaveText(/^DSA-\d{6}$/);
});
