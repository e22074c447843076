import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn, users } from '../../fixtures/auth';

async function expectNoViolations(page: Page) {
  await hydrated(page);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

test('the sign-in page passes axe, also when showing an error', async ({ page }) => {
  await page.goto('/login');
  await expectNoViolations(page);
  await page.getByLabel('E-mail address').fill('nobody@acme.test');
  await page.getByLabel('Password', { exact: true }).fill('not the right password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expectNoViolations(page);
});

test('the customer home passes axe', async ({ page }) => {
  await signIn(page, users.alice);
  await expectNoViolations(page);
});

test('the admin overview passes axe', async ({ page }) => {
  await signIn(page, users.staff);
  await expectNoViolations(page);
});

test('the 403 and 404 pages pass axe', async ({ page }) => {
  await signIn(page, users.bob);
  await page.goto('/admin');
  await expectNoViolations(page);
  await page.goto('/nowhere');
  await expectNoViolations(page);
});

test('the sign-in form works from the keyboard alone', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.getByLabel('E-mail address').focus();
  await page.keyboard.type(users.alice);
  await page.keyboard.press('Tab');
  await page.keyboard.type('demo-password-1');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL('/');
});
