import { test, expect } from '@playwright/test';
import { hydrated, signIn, users } from '../../fixtures/auth';

test('a customer signs in and sees their organisation and services', async ({ page }) => {
  await signIn(page, users.alice);
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Acme Hosting Ltd' })).toBeVisible();
  const services = page.getByRole('table');
  await expect(services.getByRole('rowheader', { name: 'mail-01.acme.test' })).toBeVisible();
  await expect(services.getByRole('row', { name: /mail-01\.acme\.test/ })).toContainText('Restricted');
  await expect(services).toContainText('203.0.113.25');
  await expect(page.getByText('Globex')).toHaveCount(0);
  await expect(page.getByText('Demo mode.')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByText(users.alice)).toBeVisible();
});

test('a wrong password and an unknown e-mail get the same message, and nothing else happens', async ({ page }) => {
  for (const email of ['carol@acme.test', 'nobody@acme.test']) {
    await page.goto('/login');
    await hydrated(page);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('not the right password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText(
      'That e-mail and password do not match an account. Check them and try again.',
    );
    await expect(page).toHaveURL(/\/login/);
  }
});

test('a malformed e-mail is explained next to its field', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  const email = page.getByLabel('E-mail address');
  // The browser's own check would stop "alice" first; skip it to reach the server's message.
  await page.locator('form').evaluate((form) => form.setAttribute('novalidate', ''));
  await email.fill('alice');
  await page.getByLabel('Password', { exact: true }).fill('whatever password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#login-email-error')).toHaveText('Enter an e-mail address such as name@example.com.');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAccessibleDescription('Enter an e-mail address such as name@example.com.');
});
