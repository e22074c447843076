import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { DEMO_PASSWORD, hydrated, signIn, users } from '../../fixtures/auth';
import { startSmtpServer } from '../../fixtures/smtp';

async function noAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
}

/** An X-ARF v4 phishing report about Globex's ML cluster (198.51.100.81), unique per call. */
function phishingReport(n: number) {
  return {
    xarf_version: '4.0.0',
    report_id: `7c9e6679-7425-40de-944b-${String(Date.now() + n).padStart(12, '0').slice(-12)}`,
    timestamp: new Date().toISOString(),
    reporter: { org: 'Example Bank CERT', contact: 'cert@bank.example', domain: 'bank.example' },
    sender: { org: 'Example Bank CERT', contact: 'cert@bank.example', domain: 'bank.example' },
    source_identifier: '198.51.100.81',
    category: 'content',
    type: 'phishing',
    url: 'http://198.51.100.81/bank/login.html',
    description: 'A copy of our login page served from this address',
  };
}

test('a report sent to the API waits for verification, becomes a notice the customer sees, and the next one grows it', async ({ browser, request }) => {
  test.setTimeout(120_000);
  const smtp = await startSmtpServer();
  try {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, users.admin);
  await admin.goto('/admin/tokens');
  await hydrated(admin);
  await admin.getByLabel('Name (the system that uses it)').fill(`bank CERT feed ${Date.now()}`);
  await admin.getByRole('checkbox', { name: 'Send abuse reports' }).check();
  await admin.getByRole('button', { name: 'Make the token' }).click();
  const token = await admin.getByLabel('The new token').inputValue();
  const headers = { Authorization: `Bearer ${token}` };

  // The report API takes the report; nobody is notified until staff verify it.
  const sent = await request.post('/api/v1/reports', { headers, data: phishingReport(1) });
  expect(sent.status()).toBe(201);
  const outcome = await sent.json();
  expect(outcome.events[0].state).toBe('needs_verification');
  const reference: string = outcome.reference;
  // A report missing a required field is refused with the field named, and kept for staff.
  const broken = await request.post('/api/v1/reports', { headers, data: { xarf_version: '4.0.0' } });
  expect(broken.status()).toBe(422);
  expect((await broken.json()).error).toContain('report_id');

  // Staff find it among the reports to verify, and verify it.
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await expect(admin.getByRole('heading', { level: 1, name: 'Reports' })).toBeVisible();
  await noAxeViolations(admin);
  const row = admin.getByRole('row').filter({ hasText: 'ml-cluster-a.globex.test' }).filter({ hasText: 'Phishing' });
  await row.getByRole('link').first().click();
  await expect(admin.getByRole('heading', { level: 1 })).toContainText('Phishing or scam from ml-cluster-a.globex.test');
  await expect(admin.getByRole('table')).toContainText(reference);
  await hydrated(admin);
  await noAxeViolations(admin);
  await admin.getByRole('button', { name: 'Verify and open the notice' }).click();
  await expect(admin.locator('#verify-note-error')).toContainText('Record how the report was verified');
  await admin.getByLabel('How you verified the reports (staff only)').fill('Fetched the page from 198.51.100.81: a copy of the bank login.');
  await admin.getByRole('button', { name: 'Verify and open the notice' }).click();
  await expect(admin).toHaveURL(/\/admin\/cases\/\d+$/);
  const caseId = admin.url().split('/').pop()!;
  await expect(admin.getByRole('region', { name: /Reported events/ })).toContainText(reference);
  await noAxeViolations(admin);

  // The customer is told: an unread notification, which leads to the notice with its clock running.
  const customer = await (await browser.newContext()).newPage();
  await signIn(customer, users.bob);
  const nav = customer.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: /^Notifications \d+ unread$/ })).toBeVisible();
  await nav.getByRole('link', { name: /^Notifications/ }).click();
  await expect(customer.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  await noAxeViolations(customer);
  const told = customer.getByRole('list', { name: 'Notifications' }).getByRole('listitem').filter({ hasText: `Notice #${caseId}:` });
  await expect(told).toContainText(`Notice #${caseId}: Phishing or scam. Respond by`);
  await expect(told).toContainText('New');
  await told.getByRole('link').click();
  await expect(customer).toHaveURL(new RegExp(`/notices/${caseId}$`));
  await expect(customer.getByRole('heading', { level: 1, name: 'Phishing or scam' })).toBeVisible();
  await expect(customer.getByRole('timer').first()).toHaveText(/^(47 h 5\d min|48 h 0 min) left$/);
  await expect(customer.getByText('Fetched the page')).toHaveCount(0);

  // The next report about the address is added to the open notice, visibly.
  const second = phishingReport(2);
  const next = await request.post('/api/v1/reports', { headers, data: second });
  expect(next.status()).toBe(201);
  const added = await next.json();
  expect(added.events[0].state).toBe('added_to_case');
  expect(added.events[0].notice_id).toBe(Number(caseId));
  await customer.reload();
  await expect(customer.getByText(/1 reported event\(s\) added from AR-\d+/)).toBeVisible();
  // The same report sent again is recognised and counted once.
  const again = await request.post('/api/v1/reports', { headers, data: second });
  expect(again.status()).toBe(200);
  expect((await again.json()).duplicate_of).toBe(added.id);

  // Globex's abuse contact got a mail (the mail job runs every 10 s) that says what to do and
  // links to the notice; the link works after signing in.
  let mail = '';
  await expect(async () => {
    mail = smtp.mails.map((m) => m.data).find((d) => d.includes(`Notice #${caseId}: Phishing or scam.`)) ?? '';
    expect(mail).not.toBe('');
  }).toPass({ timeout: 45_000 });
  expect(mail).toContain('To: abuse@globex.test');
  expect(mail).toContain('submit remediation');
  const link = mail.split('\n').find((l) => l.startsWith('http'))!.trim();
  expect(link).toMatch(new RegExp(`/notices/${caseId}$`));
  const reader = await (await browser.newContext()).newPage();
  await reader.goto(link);
  await expect(reader).toHaveURL(/\/login/);
  await reader.getByLabel('E-mail address').fill(users.bob);
  await reader.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await reader.getByRole('button', { name: 'Sign in' }).click();
  await expect(reader).toHaveURL(new RegExp(`/notices/${caseId}$`));
  await expect(reader.getByRole('heading', { level: 1, name: 'Phishing or scam' })).toBeVisible();
  } finally {
    await smtp.close();
  }
});

test('the unreadable report from the demo mailbox import is shown with its reason', async ({ page }) => {
  await signIn(page, users.staff);
  await page.goto('/admin/reports?tab=failed');
  await expect(page.getByRole('link', { name: /Failed \(\d+ this week\)/ })).toHaveAttribute('aria-current', 'page');
  const failed = page.getByRole('row').filter({ hasText: 'Source-IP field is missing' }).first();
  await expect(failed).toBeVisible();
  await failed.getByRole('link').first().click();
  await expect(page.getByRole('alert')).toContainText('This report could not be read: ARF report: the Source-IP field is missing');
  await expect(page.getByRole('region', { name: 'What was kept' })).toContainText('fbl@mailbox-provider.example');
  await noAxeViolations(page);
});
