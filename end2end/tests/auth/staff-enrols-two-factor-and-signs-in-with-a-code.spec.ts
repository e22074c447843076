import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn } from '../../fixtures/auth';
import { totp } from '../../fixtures/totp';

async function noAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
}

// sam@portal.test is this test's own staff account (scripts/e2e-server adds it).
test('a staff member turns on two-factor sign-in, then signs in with a code', async ({ page }) => {
  await signIn(page, 'sam@portal.test', { password: 'e2e-password-12' });
  await page.goto('/account/two-factor');
  await hydrated(page);
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const key = (await page.locator('.totp-key').textContent())!;
  expect(key.replace(/\s/g, '')).toMatch(/^[A-Z2-7]{32}$/);
  await noAxeViolations(page);
  // The password is asked again before the second factor changes.
  await page.getByLabel('Your password').fill('not-the-password-1');
  await page.getByLabel('Code from the app').fill(totp(key));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await expect(page.locator('#setup-password-error')).toContainText('That is not your current password');
  await page.getByLabel('Your password').fill('e2e-password-12');
  await page.getByLabel('Code from the app').fill('000000');
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await expect(page.locator('#setup-code-error')).toContainText('That code is not right');
  await page.getByLabel('Your password').fill('e2e-password-12');
  await page.getByLabel('Code from the app').fill(totp(key));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await expect(page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10);
  await expect(page.getByRole('heading', { name: 'Two-factor sign-in is on' })).toBeVisible();

  // Sign out and in again: after the password, the code.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/login?next=/admin/cases');
  await hydrated(page);
  await page.getByLabel('E-mail address').fill('sam@portal.test');
  await page.getByLabel('Password', { exact: true }).fill('e2e-password-12');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login\/code$/);
  await hydrated(page);
  await noAxeViolations(page);
  // The code used to turn it on is spent; the next one works and leads where the visit was going.
  await page.getByLabel('Code', { exact: true }).fill(totp(key, 1));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Case queue' })).toBeVisible();
});
