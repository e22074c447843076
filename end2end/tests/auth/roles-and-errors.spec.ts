import { test, expect } from '@playwright/test';
import { signIn, users } from '../../fixtures/auth';

test('a customer gets 403 on /admin', async ({ page }) => {
  await signIn(page, users.bob);
  const response = await page.goto('/admin');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
  await expect(page.getByText('Customer organisations')).toHaveCount(0);
});

test('staff land on the admin overview and see every organisation', async ({ page }) => {
  await signIn(page, users.staff);
  await expect(page).toHaveURL('/admin');
  await expect(page.getByRole('heading', { level: 1, name: 'Admin overview' })).toBeVisible();
  const orgs = page.getByRole('table');
  await expect(orgs.getByRole('rowheader', { name: 'Acme Hosting Ltd' })).toBeVisible();
  await expect(orgs.getByRole('rowheader', { name: 'Globex Corp' })).toBeVisible();
});

test('an admin can open the admin overview too', async ({ page }) => {
  await signIn(page, users.admin);
  const response = await page.goto('/admin');
  expect(response?.status()).toBe(200);
  await expect(page.getByText('Administrator')).toBeVisible();
});

test('an unknown address shows the 404 page', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test('signed-out visitors are sent to sign in', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL('/login');
  await page.goto('/admin');
  await expect(page).toHaveURL('/login?next=/admin');
});
