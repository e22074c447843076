import { test, expect, Page } from '@playwright/test';
import { hydrated, signIn, users } from '../../fixtures/auth';

/** Collects what the browser refused under the Content-Security-Policy, and script errors. */
function watchViolations(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return problems;
}

test('the sign-in page hydrates: showing the password works without a page load', async ({ page }) => {
  const problems = watchViolations(page);
  const response = await page.goto('/login');
  expect(response!.headers()['content-security-policy']).toContain("'nonce-");
  await hydrated(page);
  // A marker on window survives only if the page is not reloaded.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('secret words');
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show password' }).click();
  await expect(password).toHaveAttribute('type', 'text');
  await expect(page.getByRole('button', { name: 'Hide password' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'Hide password' }).click();
  await expect(password).toHaveAttribute('type', 'password');
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(problems).toEqual([]);
});

test('pages with data run their islands under the policy too: the countdown keeps time', async ({ page }) => {
  const problems = watchViolations(page);
  await signIn(page, users.alice);
  // The browser's clock, moved on by hand below.
  await page.clock.install();
  await page.goto('/notices');
  await hydrated(page);
  const countdown = page.getByTestId('countdown').first();
  const before = (await countdown.textContent())!;
  expect(before).toMatch(/\d/);
  await page.clock.fastForward('02:00:00');
  await expect(countdown).not.toHaveText(before);
  // Links are plain links: the next page loads and runs its own islands.
  await page.getByRole('link', { name: /Notice #\d+/ }).first().click();
  await hydrated(page);
  await page.getByRole('link', { name: 'Services' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Services' })).toBeVisible();
  expect(problems).toEqual([]);
});
