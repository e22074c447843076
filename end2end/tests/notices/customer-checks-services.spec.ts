import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signIn, users } from '../../fixtures/auth';

test('a customer sees which services are blocked and why', async ({ page }) => {
  await signIn(page, users.alice);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Services' })).toBeVisible();
  const mail = page.getByRole('row', { name: /mail-01\.acme\.test/ });
  await expect(mail).toContainText('Restricted');
  await expect(mail).toContainText('Port 25 (SMTP) block on port 25 on every address');
  await mail.getByRole('link', { name: 'mail-01.acme.test' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'mail-01.acme.test' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'In force now' })).toContainText('Outbound spam in progress');
  await expect(page.getByRole('link', { name: /Notice #\d+ · Spam/ })).toBeVisible();
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
});
