import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn, users } from '../../fixtures/auth';

test('staff restrict port 25 by default on an address, then lift it, each with a reason', async ({ page }) => {
  await signIn(page, users.staff);
  // gpu-train-01.acme.test (the demo's fourth service) starts without a port-25 restriction.
  await page.goto('/services/4');
  await hydrated(page);
  const address = page.getByRole('region', { name: 'IP addresses' }).getByRole('listitem').filter({ hasText: '203.0.113.40' });
  await expect(address).toContainText('Port 25: allowed');
  await page.getByLabel('Why set the default restriction on 203.0.113.40').fill('Trial account: no mail until a use case is approved.');
  await page.getByRole('button', { name: 'Restrict port 25 by default' }).click();
  await expect(address).toContainText('Port 25: blocked by default');
  await expect(page.getByRole('list', { name: 'In force now' })).toContainText('Port 25 (SMTP) default restriction on port 25 on 203.0.113.40');
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
  await page.getByLabel('Why lift the default restriction on 203.0.113.40').fill('Use case confirmed by phone with the owner.');
  await page.getByRole('button', { name: 'Lift the default restriction' }).click();
  await expect(address).toContainText('Port 25: allowed');
});
