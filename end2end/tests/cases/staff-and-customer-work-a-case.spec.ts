import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn, users } from '../../fixtures/auth';

async function noAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
}

test('staff open a notice, reject evidence with a reason, accept the resubmission; the trail shows it all', async ({ browser, baseURL }) => {
  const staffContext = await browser.newContext({ baseURL });
  const customerContext = await browser.newContext({ baseURL });
  const staff = await staffContext.newPage();
  const customer = await customerContext.newPage();

  // Staff open a notice against Globex's HPC node.
  await signIn(staff, users.staff);
  await staff.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
  await expect(staff.getByRole('heading', { level: 1, name: 'Case queue' })).toBeVisible();
  await noAxeViolations(staff);
  await staff.getByRole('link', { name: 'Open a notice' }).click();
  await hydrated(staff);
  await noAxeViolations(staff);
  await staff.getByLabel('Service').selectOption({ label: 'Globex Corp · hpc-07.globex.test (High-compute HPC node)' });
  await staff.getByLabel('Category').selectOption({ label: 'Network scanning' });
  await staff.getByLabel('Report source').selectOption({ label: 'Upstream provider' });
  await staff.getByLabel('What was observed (no message contents)').fill('Port scans of 65,000 hosts on TCP 22 and 3389 reported by the upstream provider.');
  await staff.getByLabel('Verified abuse events').fill('650');
  await staff.getByLabel('How was the report verified?').fill('Matched the upstream report against our NetFlow samples.');
  await staff.getByRole('button', { name: 'Open notice' }).click();
  await expect(staff).toHaveURL(/\/admin\/cases\/\d+$/);
  const caseId = staff.url().split('/').pop()!;
  await expect(staff.getByRole('heading', { level: 1, name: 'Network scanning' })).toBeVisible();
  await expect(staff.getByText('High risk', { exact: true })).toBeVisible();

  // The customer sees it with its countdown, and answers.
  await signIn(customer, users.bob);
  await customer.goto(`/notices/${caseId}`);
  await hydrated(customer);
  await expect(customer.getByRole('heading', { level: 1, name: 'Network scanning' })).toBeVisible();
  await expect(customer.getByTestId('countdown').first()).toHaveText(/^(47 h 5\d min|48 h 0 min) left$/);
  await expect(customer.getByText('Matched the upstream report')).toHaveCount(0);
  await customer.getByLabel('What caused the abuse?').fill('A research job ran masscan against the whole range by mistake.');
  await customer.getByLabel('What did you fix?').fill('Stopped the job and removed masscan from the node image.');
  await customer.getByLabel('How do you prevent it from happening again?').fill('Egress firewall rules now allow only the cluster subnet.');
  await customer.getByLabel('File 1 is a').selectOption({ label: 'Configuration change' });
  await customer.getByLabel('File 1', { exact: true }).setInputFiles({
    name: 'egress-rules.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('-A OUTPUT -d 10.20.0.0/16 -j ACCEPT\n-A OUTPUT -j DROP\n'),
  });
  await customer.getByRole('button', { name: 'Submit evidence' }).click();
  await expect(customer.getByText("Waiting for the abuse desk's review.")).toBeVisible();
  await expect(customer.getByRole('link', { name: 'egress-rules.txt' })).toBeVisible();

  // Staff see the file and reject the evidence with a reason.
  await staff.reload();
  await hydrated(staff);
  await expect(staff.getByRole('link', { name: 'egress-rules.txt' })).toBeVisible();
  await staff.getByLabel('Reject evidence (reason required)').check();
  await staff.getByRole('button', { name: 'Record decision' }).click();
  await expect(staff.locator('#decision-reason-error')).toHaveText('Write a reason (at least 10 characters).');
  await staff.getByLabel('Written reason (the customer sees it)').fill('Scans continued until 14:00 UTC; show the firewall change.');
  await staff.getByLabel('Reject evidence (reason required)').check();
  await staff.getByRole('button', { name: 'Record decision' }).click();
  await expect(staff.getByText('Rejected by the abuse desk: Scans continued until 14:00 UTC; show the firewall change.').first()).toBeVisible();

  // The customer sees the reason and submits again.
  await customer.reload();
  await hydrated(customer);
  await expect(customer.getByText('Rejected by the abuse desk: Scans continued until 14:00 UTC')).toBeVisible();
  await customer.getByLabel('What caused the abuse?').fill('The job was restarted by a scheduler before it was removed.');
  await customer.getByLabel('What did you fix?').fill('Removed the scheduler entry; firewall rule 42 now drops all egress scans.');
  await customer.getByLabel('How do you prevent it from happening again?').fill('Egress firewall rules allow only the cluster subnet.');
  await customer.getByRole('button', { name: 'Submit evidence' }).click();
  await expect(customer.getByText("Waiting for the abuse desk's review.")).toBeVisible();

  // Staff accept; the case resolves.
  await staff.reload();
  await hydrated(staff);
  await staff.getByLabel('Accept evidence').check();
  await staff.getByRole('button', { name: 'Record decision' }).click();
  await expect(staff.getByText('Resolved', { exact: true }).first()).toBeVisible();
  const trail = staff.getByRole('region', { name: 'Audit trail' });
  for (const step of [
    'Report verified: Matched the upstream report',
    'Notice opened: Network scanning',
    'Open → Evidence submitted (submission #',
    'egress-rules.txt (Configuration change, SHA-256 ',
    'Evidence submitted → Evidence rejected: Scans continued',
    'Evidence rejected → Evidence submitted',
    'Evidence submitted → Resolved',
  ]) {
    await expect(trail.getByText(step, { exact: false }).first()).toBeVisible();
  }
  await expect(trail).toContainText('staff@portal.test (staff)');
  await expect(trail).toContainText('bob@globex.test (customer)');
  await noAxeViolations(staff);

  await customer.reload();
  await expect(customer.getByText('Resolved: the abuse desk accepted your evidence.')).toBeVisible();
  await staffContext.close();
  await customerContext.close();
});

test('a customer cannot reach the staff case pages or call a staff action', async ({ page, request, baseURL }) => {
  await signIn(page, users.alice);
  for (const path of ['/admin/cases', '/admin/cases/new', '/admin/cases/1']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
  }
  const cookies = await page.context().cookies();
  const res = await page.request.post('/api/admin/cases/decide', {
    headers: { origin: baseURL!, accept: 'application/json' },
    form: { id: '1', decision: 'accept', reason: '' },
  });
  expect(await res.text()).toContain('Forbidden');
  expect(cookies.length).toBeGreaterThan(0);
});
