import { test, expect } from '@playwright/test';
import { signIn, users } from '../../fixtures/auth';

// This project runs with JavaScript disabled: the forms are plain HTML posts.

test('signing in works with JavaScript off', async ({ page }) => {
  await signIn(page, users.alice, { javaScript: false });
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Acme Hosting Ltd' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Show password' })).toHaveCount(0);
});

test('a failed sign-in shows its message with JavaScript off', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Show password' })).toBeHidden();
  await page.getByLabel('E-mail address').fill('carol@acme.test');
  await page.getByLabel('Password', { exact: true }).fill('not the right password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('alert')).toHaveText(
    'That e-mail and password do not match an account. Check them and try again.',
  );
  // The address typed comes back, the password never; the message is shown once.
  await expect(page).toHaveURL('/login');
  await expect(page.getByLabel('E-mail address')).toHaveValue('carol@acme.test');
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
  await page.reload();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByLabel('E-mail address')).toHaveValue('');
});

test('signing out works with JavaScript off', async ({ page }) => {
  await signIn(page, users.bob, { javaScript: false });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1/);
  await page.goto('/');
  await expect(page).toHaveURL('/login');
});
