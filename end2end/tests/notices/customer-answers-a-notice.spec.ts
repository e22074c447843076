import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn, users } from '../../fixtures/auth';
import { acmeNoticePath, expectNotFoundForBob, openNotice } from '../../fixtures/cases';

// The demo data gives Acme Hosting Ltd an open spam notice against mail-01.acme.test, a
// phishing notice whose evidence was rejected, and an overdue brute-force notice. Tests that
// change a notice each take their own (spam here, phishing in the upload test, brute force in
// the no-JS dispute test), so they can run in parallel with the tests that only read.

test('a customer sees their notices, most urgent first, with the time left', async ({ page }) => {
  await signIn(page, users.alice);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notices' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Abuse notices' })).toBeVisible();
  const rows = page.getByRole('table').getByRole('row');
  // Earliest deadline first: the brute-force notice whose deadline passed two hours ago.
  await expect(rows.nth(1)).toContainText('gpu-train-01.acme.test');
  const rejected = page.getByRole('row', { name: /Phishing/ });
  await expect(rejected).toContainText(/Evidence rejected|Evidence submitted/);
  await expect(page.getByRole('table')).toContainText('mail-01.acme.test');
  await expect(page.getByRole('table')).not.toContainText('globex');
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
});

test('the rejected evidence shows the abuse desk\'s reason and the timeline', async ({ page }) => {
  await signIn(page, users.alice);
  await page.goto('/notices?category=phishing');
  await page.getByRole('link', { name: /Notice #\d+/ }).first().click();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Phishing or scam' })).toBeVisible();
  await expect(page.getByText('Rejected by the abuse desk: The pages are still reachable').first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Timeline' })).toBeVisible();
  await expect(page.getByText('The report was verified by the abuse desk.')).toBeVisible();
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
});

test('the countdown on a new notice runs in the browser', async ({ page, browser, baseURL }) => {
  const id = await openNotice(browser, baseURL!, {
    service: 'Acme Hosting Ltd · app-02.acme.test (Cloud server)',
    category: 'Spoofing',
    summary: 'Mail with forged bank sender domains left this server, reported by two receivers.',
  });
  await page.clock.install();
  await signIn(page, users.alice);
  await page.goto(`/notices/${id}`);
  await hydrated(page);
  const countdown = page.getByTestId('countdown').first();
  await expect(countdown).toHaveText(/^(47 h 5\d min|48 h 0 min) left$/);
  const before = await countdown.textContent();
  await page.evaluate(() => ((window as any).__sameDocument = true));
  // Move the browser's clock on: the countdown follows without a reload.
  await page.clock.fastForward('03:00:00');
  await expect(countdown).not.toHaveText(before!);
  await expect(countdown).toHaveText(/^4\d h \d+ min left$/);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test('a customer acknowledges a notice, then submits evidence after fixing a short answer', async ({ page }) => {
  await signIn(page, users.alice);
  await page.goto('/notices?category=spam');
  await page.getByRole('link', { name: /Notice #\d+/ }).first().click();
  await hydrated(page);
  const before = page.url();
  await page.getByRole('button', { name: 'Acknowledge notice' }).click();
  await expect(page.getByText('Open → Acknowledged')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Acknowledge notice' })).toHaveCount(0);
  expect(page.url()).toBe(before);

  await page.getByLabel('What caused the abuse?').fill('A weak SMTP password was guessed by a spammer.');
  await page.getByLabel('What did you fix?').fill('short');
  await page.getByLabel('How do you prevent it from happening again?').fill('Rate limits, fail2ban and alerts on queue size.');
  await page.getByRole('button', { name: 'Submit evidence' }).click();
  await expect(page.locator('#evidence-fix-error')).toHaveText('Describe the fix in at least 20 characters.');
  await expect(page.getByLabel('What did you fix?')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('What caused the abuse?')).toHaveValue('A weak SMTP password was guessed by a spammer.');

  await page.getByLabel('What did you fix?').fill('Reset every mailbox password and purged the queue.');
  await page.getByRole('button', { name: 'Submit evidence' }).click();
  await expect(page.getByText('Waiting for the abuse desk\'s review.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Response' })).toBeVisible();
  await expect(page.getByText(/Acknowledged → Evidence submitted/)).toBeVisible();
});

test("another organisation's notice is not found", async ({ page, browser, baseURL }) => {
  const path = await acmeNoticePath(browser, baseURL!);
  await expectNotFoundForBob(page, path, true);
  await page.goto('/notices');
  await expect(page.getByRole('table')).not.toContainText('acme');
});
