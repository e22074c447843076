import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn, users } from '../../fixtures/auth';
import { openNotice } from '../../fixtures/cases';

async function noAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
}

// Globex's ml-cluster-a is this test's own: no other browser test changes it.
test('staff invoice a suspended case; the customer sees why and pays by transfer; with the evidence accepted the service comes back', async ({ browser, baseURL }) => {
  const caseId = await openNotice(browser, baseURL!, {
    service: 'Globex Corp · ml-cluster-a.globex.test (Multi-GPU AI training cluster)',
    category: 'Spam (unsolicited bulk messaging)',
    summary: 'Recipients reported 25 unsolicited messages sent from the cluster head node.',
  });
  const staffContext = await browser.newContext({ baseURL });
  const customerContext = await browser.newContext({ baseURL });
  const staff = await staffContext.newPage();
  const customer = await customerContext.newPage();

  // Staff suspend the service, then draft an invoice from the case.
  await signIn(staff, users.staff);
  await staff.goto(`/admin/cases/${caseId}`);
  await hydrated(staff);
  await staff.getByLabel('Measure', { exact: true }).selectOption({ label: 'Suspension' });
  await staff.getByLabel('Why the measure is taken').fill('Spam still leaving the cluster after the notice.');
  await staff.getByRole('button', { name: 'Start measure' }).click();
  await expect(staff.getByRole('region', { name: 'Affected service' })).toContainText('Suspended');
  await staff.getByRole('button', { name: 'Draft an invoice' }).click();
  await expect(staff).toHaveURL(/\/admin\/billing\/\d+$/);
  await hydrated(staff);
  const lines = staff.getByRole('list', { name: 'Draft lines' });
  await expect(lines).toContainText('Liquidated damages: 25 verified abuse events at USD 1.00 each (at least USD 500.00) · USD 500.00');
  await expect(lines).toContainText('Reactivation fee · USD 250.00');

  // A pass-through item needs its source, said next to the field; then it is added.
  await staff.getByLabel('Charge for').selectOption('upstream_fine');
  await staff.getByLabel('Amount in USD (labour: the rate per hour)').fill('150');
  await staff.getByRole('button', { name: 'Add the line' }).click();
  await expect(staff.locator('#line-source-error')).toHaveText('Name the upstream provider and its invoice or notice.');
  await staff.getByLabel('Source (pass-through items and labour: who charged or did it)').fill('Transit carrier, notice 88-123');
  await staff.getByRole('button', { name: 'Add the line' }).click();
  await expect(lines).toContainText('Upstream fine or surcharge · USD 150.00');
  await noAxeViolations(staff);
  await staff.getByRole('button', { name: 'Issue the invoice' }).click();
  await expect(staff.getByRole('heading', { level: 1, name: /^Invoice \d{4}-\d{4}$/ })).toBeVisible();
  const title = (await staff.getByRole('heading', { level: 1 }).textContent())!;
  const number = title.replace('Invoice ', '');
  const invoiceUrl = staff.url();
  const invoiceId = invoiceUrl.split('/').pop()!;
  const reference = (await staff.locator('.payment-reference code').textContent())!;
  expect(reference).toMatch(/^RF\d{2}INV\d{8}$/);
  await noAxeViolations(staff);

  // The customer sees what is owed, why, how to pay, and what paying changes.
  await signIn(customer, users.bob);
  await customer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
  await expect(customer.getByRole('heading', { level: 1, name: 'Billing' })).toBeVisible();
  await customer.getByRole('link', { name: title }).click();
  await hydrated(customer);
  await expect(customer.getByText('USD 900.00 is due by')).toBeVisible();
  const document = customer.getByRole('article', { name: title });
  await expect(document).toContainText('Policy §6, Cost recovery & liquidated damages');
  await expect(document).toContainText('Policy §5, Enforcement actions');
  await expect(document).toContainText('Source: Transit carrier, notice 88-123');
  await expect(document).toContainText(reference);
  const changes = customer.getByRole('region', { name: 'What paying changes' });
  await expect(changes).toContainText('ml-cluster-a.globex.test is suspended by case #' + caseId);
  await expect(changes).toContainText('Remediation evidence not yet accepted');
  await expect(changes).toContainText(`Invoice ${number} unpaid: USD 900.00`);
  await noAxeViolations(customer);

  // The customer answers the notice; staff accept the evidence: the invoice still holds it.
  await customer.goto(`/notices/${caseId}`);
  await hydrated(customer);
  await customer.getByLabel('What caused the abuse?').fill('A notebook server with a weak password was used to send mail.');
  await customer.getByLabel('What did you fix?').fill('Removed the notebook server and rotated every credential on the cluster.');
  await customer.getByLabel('How do you prevent it from happening again?').fill('Outbound port 25 is closed at the cluster firewall.');
  await customer.getByRole('button', { name: 'Submit evidence' }).click();
  await expect(customer.getByText("Waiting for the abuse desk's review.")).toBeVisible();
  await staff.goto(`/admin/cases/${caseId}`);
  await hydrated(staff);
  await staff.getByLabel('Accept evidence').check();
  await staff.getByRole('button', { name: 'Record decision' }).click();
  await expect(staff.getByText('Resolved', { exact: true }).first()).toBeVisible();
  const reactivation = staff.getByRole('region', { name: 'Reactivation' });
  await expect(reactivation).toContainText('Remediation evidence accepted');
  await expect(reactivation).toContainText(`Invoice ${number} unpaid: USD 900.00`);
  await expect(staff.getByRole('region', { name: 'Affected service' })).toContainText('Suspended');

  // Staff record the transfer; the same form sent twice records one payment.
  await staff.goto(invoiceUrl);
  await hydrated(staff);
  const formKey = await staff.locator('input[name="form_key"]').first().inputValue();
  const post = () => staff.request.post('/api/admin/billing/record', {
    headers: { origin: baseURL!, accept: 'application/json' },
    form: { id: invoiceId, reference, amount: '900.00', received_on: '', note: 'Transfer from Globex Corp', form_key: formKey },
  });
  const [first, second] = await Promise.all([post(), post()]);
  expect([first.status(), second.status()]).toEqual([200, 200]);
  await staff.reload();
  await expect(staff.getByRole('list', { name: 'Payments' }).getByRole('listitem')).toHaveCount(1);
  await expect(staff.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(staff.getByText('Paid: nothing is left to pay.')).toBeVisible();

  // Paid and accepted: the service is active again, for both sides, and the customer has a receipt.
  await staff.goto(`/admin/cases/${caseId}`);
  await expect(staff.getByRole('region', { name: 'Affected service' })).toContainText('Active');
  await expect(staff.getByRole('region', { name: 'Audit trail' })).toContainText('Suspension ended automatically');
  await customer.goto(invoiceUrl.replace('/admin/billing/', '/billing/'));
  await expect(customer.getByText('Paid: nothing is left to pay.')).toBeVisible();
  await customer.getByRole('link', { name: /^Receipt R-\d{4}-\d{4}$/ }).click();
  await expect(customer.getByRole('heading', { level: 2, name: 'USD 900.00 received with thanks' })).toBeVisible();
  await noAxeViolations(customer);
  await customer.goto('/services');
  await expect(customer.getByRole('row', { name: /ml-cluster-a\.globex\.test/ })).toContainText('Active');

  // A customer cannot record payments or waive; another organisation does not see the invoice.
  for (const [endpoint, form] of [
    ['admin/billing/record', { id: invoiceId, reference, amount: '1', received_on: '', note: '', form_key: 'a'.repeat(32) }],
    ['admin/billing/credit', { id: invoiceId, what: 'rest', reason: 'Please waive the whole invoice.' }],
  ] as const) {
    const res = await customer.request.post(`/api/${endpoint}`, { headers: { origin: baseURL!, accept: 'application/json' }, form });
    expect(res.status(), endpoint).toBe(403);
  }
  expect((await customer.goto(`/admin/billing/${invoiceId}`))!.status()).toBe(403);
  const aliceContext = await browser.newContext({ baseURL });
  const alice = await aliceContext.newPage();
  await signIn(alice, users.alice);
  expect((await alice.goto(`/billing/${invoiceId}`))!.status()).toBe(404);
  await expect(alice.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await aliceContext.close();
  await staffContext.close();
  await customerContext.close();
});
