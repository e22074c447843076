import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn, users } from '../../fixtures/auth';

async function noAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
}

test('an admin makes an API token, the billing system reads the inventory with it, and it stops working once revoked', async ({ page, request }) => {
  const name = `billing sync ${Date.now()}`;
  await signIn(page, users.admin);
  await page.goto('/admin/people');
  await page.getByRole('link', { name: 'API tokens' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'API tokens' })).toBeVisible();
  await hydrated(page);
  await noAxeViolations(page);

  // No scope ticked: refused next to the boxes; then a read-only token, shown once.
  await page.getByLabel('Name (the system that uses it)').fill(name);
  await page.getByRole('button', { name: 'Make the token' }).click();
  await expect(page.locator('#token-scopes-error')).toContainText('scope');
  await page.getByRole('checkbox', { name: 'Read the inventory' }).check();
  await page.getByRole('button', { name: 'Make the token' }).click();
  const token = await page.getByLabel('The new token').inputValue();
  expect(token).toMatch(/^apt_[0-9a-f]{64}$/);
  const row = page.getByRole('list', { name: 'Tokens' }).getByRole('listitem').filter({ hasText: name });
  await expect(row).toContainText('never used');
  await noAxeViolations(page);

  // The provider's system reads with it, and may not write.
  const organisations = await request.get('/api/v1/organisations?limit=2', { headers: { Authorization: `Bearer ${token}` } });
  expect(organisations.status()).toBe(200);
  expect((await organisations.json()).organisations).toHaveLength(2);
  const write = await request.put('/api/v1/services', {
    headers: { Authorization: `Bearer ${token}` },
    data: { organisation: 'Acme Hosting Ltd', service: 'web-01.acme.test', kind: 'vps', addresses: [] },
  });
  expect(write.status()).toBe(403);
  expect((await write.json()).error).toContain('inventory:write');
  await page.reload();
  await expect(row).toContainText('last used');

  // Revoked: the same call is refused as unauthenticated.
  await hydrated(page);
  await row.getByRole('button', { name: /^Revoke/ }).click();
  await expect(row).toContainText('Revoked');
  const after = await request.get('/api/v1/organisations', { headers: { Authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
});
