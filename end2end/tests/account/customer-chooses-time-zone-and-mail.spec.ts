import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn, users } from '../../fixtures/auth';

async function noAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
}

test('a customer reads every time in the zone they pick and chooses the mails they get', async ({ page }) => {
  await signIn(page, users.alice);
  await page.goto('/account/sessions');
  await page.getByRole('link', { name: 'Time zone and mail' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Time zone and mail' })).toBeVisible();
  await hydrated(page);
  await noAxeViolations(page);

  // Kolkata time, and new notices in her own inbox too.
  await page.getByLabel('Time zone').selectOption('Asia/Kolkata');
  await page.getByRole('checkbox', { name: 'New notice' }).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  await expect(page.locator('#prefs-zone-hint')).toContainText(' IST in the time zone saved');

  // Every time on the notices list is now written in it.
  await page.goto('/notices');
  const deadlines = page.locator('table').first();
  await expect(deadlines).toContainText(' IST');
  await expect(deadlines).not.toContainText(' UTC');

  // The choice stays after a reload; back to UTC and no own mail.
  await page.goto('/account/preferences');
  await hydrated(page);
  await expect(page.getByLabel('Time zone')).toHaveValue('Asia/Kolkata');
  await expect(page.getByRole('checkbox', { name: 'New notice' })).toBeChecked();
  await page.getByLabel('Time zone').selectOption('UTC');
  await page.getByRole('checkbox', { name: 'New notice' }).uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#prefs-zone-hint')).toContainText(' UTC in the time zone saved');
});

test('an owner names the contacts and who receives which mail; mistakes are shown next to their field', async ({ page }) => {
  await signIn(page, users.alice);
  await page.goto('/account/organisation');
  await expect(page.getByRole('heading', { level: 1, name: 'Contacts and mail' })).toBeVisible();
  await hydrated(page);
  await noAxeViolations(page);

  // New notices always reach the abuse contact: the box is ticked and cannot be cleared.
  const always = page.getByRole('checkbox', { name: 'New notice to the abuse contact' });
  await expect(always).toBeChecked();
  await expect(always).toBeDisabled();

  // A missing abuse contact is refused next to its field, and nothing chosen is lost.
  await page.getByLabel('Abuse contact (e-mail, required)').fill('');
  await page.getByRole('checkbox', { name: 'Deadline soon to the technical contact' }).check();
  await page.getByRole('button', { name: 'Save contacts and mail' }).click();
  await expect(page.locator('#org-abuse-email-error')).toContainText('abuse notices go to');
  await expect(page.getByLabel('Abuse contact (e-mail, required)')).toHaveAttribute('aria-describedby', 'org-abuse-email-error');
  await expect(page.getByRole('checkbox', { name: 'Deadline soon to the technical contact' })).toBeChecked();
  await noAxeViolations(page);

  await page.getByLabel('Abuse contact (e-mail, required)').fill('abuse@acme.test');
  await page.getByLabel('Time zone of the mails to these contacts').selectOption('Europe/Berlin');
  await page.getByRole('button', { name: 'Save contacts and mail' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('checkbox', { name: 'Deadline soon to the technical contact' })).toBeChecked();
  await expect(page.getByLabel('Time zone of the mails to these contacts')).toHaveValue('Europe/Berlin');

  // Put it back as the demo had it.
  await page.getByRole('checkbox', { name: 'Deadline soon to the technical contact' }).uncheck();
  await page.getByLabel('Time zone of the mails to these contacts').selectOption('UTC');
  await page.getByRole('button', { name: 'Save contacts and mail' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
});
