import { test, expect } from '@playwright/test';
import { hydrated, signIn, users } from '../../fixtures/auth';

test('signing out ends the session on the server, so its cookie no longer works', async ({ page, browser, baseURL }) => {
  await signIn(page, users.alice);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'portal_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');

  await hydrated(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL('/login?signed_out=1');
  await expect(page.getByRole('status')).toHaveText('You have signed out.');
  await expect(page.getByText(users.alice)).toHaveCount(0);

  // Someone holding a copy of the old cookie gets nothing either.
  const other = await browser.newContext({ baseURL });
  await other.addCookies([{ ...session!, sameSite: 'Lax' }]);
  const replay = await other.newPage();
  await replay.goto('/');
  await expect(replay).toHaveURL('/login');
  await other.close();
});

test('the /logout page asks before signing out', async ({ page }) => {
  await signIn(page, users.bob);
  await page.goto('/logout');
  await hydrated(page);
  await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/');
  await expect(page).toHaveURL('/login');
});
