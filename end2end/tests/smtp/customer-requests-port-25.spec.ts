import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn, users } from '../../fixtures/auth';

const axeTags = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];

test('a customer asks for port 25, staff approve in writing with conditions, then revoke', async ({ page, browser, baseURL }) => {
  // The customer: the service page says port 25 is blocked by default and leads to the form.
  await signIn(page, users.alice);
  await page.goto('/services');
  await page.getByRole('link', { name: 'app-02.acme.test' }).click();
  const addresses = page.getByRole('region', { name: 'IP addresses' });
  await expect(addresses).toContainText('203.0.113.11');
  await expect(addresses).toContainText('Port 25: blocked by default');
  await hydrated(page);
  await page.getByRole('link', { name: 'Request port-25 unblocking' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Request port-25 unblocking' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Address to open port 25 on').selectOption({ label: '203.0.113.11 · app-02.acme.test (blocked by default)' });
  await page.getByLabel('Transactional mail from my own application').check();
  await page.getByLabel('Sending domains').fill('shop.acme.test');
  await page.getByLabel('Messages per day').fill('3000');
  await page.getByLabel('Peak messages per hour').fill('500');
  await page.getByLabel('How recipients consented').fill('Only customers who place an order get its receipt.');
  await page.getByLabel('Bounces, complaints and unsubscribes').fill('Hard bounces suppress the address; complaints reach a person the same day.');
  await page.getByLabel('Mail software').fill('Postfix 3.7');
  await page.getByLabel('HELO name').fill('localhost');
  await page.getByLabel('DKIM selector').fill('s1');
  await page.getByLabel('Why an authenticated relay on port 587 will not do').fill('We sign with our own DKIM keys and process our own bounces.');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  // Problems are shown next to their fields; nothing typed is lost.
  await expect(page.locator('#smtp-helo-error')).toContainText('fully qualified name');
  await expect(page.locator('#smtp-obligations-error')).toContainText('Confirm that you accept the obligations');
  await expect(page.getByLabel('Sending domains')).toHaveValue('shop.acme.test');
  const form = await new AxeBuilder({ page }).withTags(axeTags).analyze();
  expect(form.violations.map((v) => v.id)).toEqual([]);
  await page.getByLabel('HELO name').fill('mail.shop.acme.test');
  await page.getByLabel('I confirm these obligations for this address').check();
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Request #\d+ for 203\.0\.113\.11/ })).toBeVisible();
  await expect(page.getByText('Waiting for review')).toBeVisible();
  const id = page.url().split('/').pop()!;

  // Staff: the queue shows it; approve with a daily cap and a probation.
  const staffContext = await browser.newContext({ baseURL });
  const staff = await staffContext.newPage();
  await signIn(staff, users.staff);
  await staff.goto('/admin/smtp');
  await staff.getByRole('link', { name: `Request #${id}` }).click();
  await hydrated(staff);
  await expect(staff.getByRole('region', { name: "What the customer asked" })).toContainText('shop.acme.test');
  await staff.getByLabel('Approval text (printed on the document the customer receives)').fill('Transactional shop mail verified with the account owner by phone.');
  await staff.getByLabel('Daily cap (messages, optional)').fill('4000');
  await staff.getByLabel('Probation ends (optional)').fill('2099-01-31');
  await staff.getByRole('button', { name: 'Approve and issue the document' }).click();
  await expect(staff.getByRole('article', { name: /Outbound SMTP \(port 25\) approval SMTP-\d{4}-\d{6}/ })).toBeVisible();
  const staffPage = await new AxeBuilder({ page: staff }).withTags(axeTags).analyze();
  expect(staffPage.violations.map((v) => v.id)).toEqual([]);

  // The customer sees the written approval and port 25 allowed on the service page.
  await page.reload();
  const approval = page.getByRole('article', { name: /approval SMTP-/ });
  await expect(approval).toContainText('Acme Hosting Ltd');
  await expect(approval).toContainText('No more than 4000 messages a day.');
  await expect(approval).toContainText('On probation until 2099-01-31');
  await expect(approval.getByRole('link', { name: 'Download the approval' })).toHaveAttribute('download', /^SMTP-\d{4}-\d{6}\.txt$/);
  await page.getByRole('link', { name: 'app-02.acme.test' }).click();
  await expect(page.getByRole('region', { name: 'IP addresses' }).getByRole('listitem').filter({ hasText: '203.0.113.11' })).toContainText('Port 25: allowed');

  // Staff revoke it with a reason; the restriction is back and the customer reads why.
  await staff.getByLabel('Reason (the customer reads it)').fill('Complaints about unsolicited mail from this address.');
  await staff.getByRole('button', { name: 'Revoke' }).click();
  await expect(staff.getByText('Approval revoked')).toBeVisible();
  await page.goto(`/smtp/${id}`);
  await expect(page.getByText('Complaints about unsolicited mail from this address.')).toBeVisible();
  await expect(page.getByText('Port 25: blocked by default')).toBeVisible();

  // Another organisation's customer gets 404; a customer cannot reach the staff page.
  const bobContext = await browser.newContext({ baseURL });
  const bob = await bobContext.newPage();
  await signIn(bob, users.bob);
  const response = await bob.goto(`/smtp/${id}`);
  expect(response!.status()).toBe(404);
  const forbidden = await page.goto(`/admin/smtp/${id}`);
  expect(forbidden!.status()).toBe(403);
  await staffContext.close();
  await bobContext.close();
});
