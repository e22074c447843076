import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signIn, users } from '../../fixtures/auth';

// The browser tests' portal sends mail (scripts/e2e-server): an owner's invitation goes to the
// address only, never back to the owner as a link.
test('an owner invites a colleague, whose link goes by mail only', async ({ page }) => {
  await signIn(page, users.alice);
  await page.goto('/account/people');
  await expect(page.getByRole('heading', { level: 1, name: 'People' })).toBeVisible();
  const email = `newhire-${Date.now()}@acme.test`;
  await page.getByLabel('E-mail address').fill(email);
  await page.getByRole('button', { name: 'Create the invitation' }).click();
  await expect(page.getByRole('status')).toContainText(`The invitation is on its way to ${email} by mail.`);
  await expect(page.getByLabel('Invitation link')).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Invitations' })).toContainText(email);
  // An address that has an account reads the same: the page gives nothing away.
  await page.getByLabel('E-mail address').fill(users.bob);
  await page.getByRole('button', { name: 'Create the invitation' }).click();
  await expect(page.getByRole('status')).toContainText(`The invitation is on its way to ${users.bob} by mail.`);
  await expect(page.getByRole('list', { name: 'Invitations' })).toContainText(users.bob);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
});
