import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn, users } from '../../fixtures/auth';

async function noAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
}

test('an admin adds an organisation with a service and two addresses; staff find who holds them', async ({ page, browser, baseURL }) => {
  const name = `Initech ${Date.now()}`;
  await signIn(page, users.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisations' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Organisations and addresses' })).toBeVisible();
  await hydrated(page);
  await noAxeViolations(page);

  // A new organisation: the missing reason is said next to its field, then it is created.
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Abuse contact (e-mail)').fill('abuse@initech.test');
  await page.getByRole('button', { name: 'Add the organisation' }).click();
  await expect(page.locator('#org-reason-error')).toContainText('Write why');
  await page.getByLabel('Why (for the audit log)').fill('Signed the hosting contract today.');
  await page.getByRole('button', { name: 'Add the organisation' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await hydrated(page);

  // A service, then two addresses: an IPv4 address and an IPv6 prefix.
  await page.getByLabel('Host name').fill('app-01.initech.test');
  await page.getByLabel('Kind').selectOption({ label: 'VPS' });
  await page.getByLabel('Why (for the audit log)').first().fill('First VPS of the contract.');
  await page.getByRole('button', { name: 'Add the service' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'app-01.initech.test' })).toBeVisible();
  await hydrated(page);
  const assign = page.getByRole('region', { name: 'Assign an address or prefix' });
  await assign.getByLabel('Address or prefix').fill('198.18.7.5/24');
  await assign.getByLabel('Why (for the audit log)').fill('Allocated by provisioning.');
  await assign.getByRole('button', { name: 'Assign' }).click();
  await expect(page.locator('#assign-block-error')).toHaveText('That is not the start of a prefix; did you mean 198.18.7.0/24?');
  await assign.getByLabel('Address or prefix').fill('198.18.7.5');
  await assign.getByRole('button', { name: 'Assign' }).click();
  const now = page.getByRole('table', { name: 'Addresses the service holds now' });
  await expect(now).toContainText('198.18.7.5');
  await assign.getByLabel('Address or prefix').fill('2001:db8:7e57::/64');
  await assign.getByLabel('Why (for the audit log)').fill('Allocated by provisioning.');
  await assign.getByRole('button', { name: 'Assign' }).click();
  await expect(now).toContainText('2001:db8:7e57::/64');
  // An address that a demo customer holds is refused, naming the holder.
  await assign.getByLabel('Address or prefix').fill('203.0.113.10');
  await assign.getByLabel('Why (for the audit log)').fill('Allocated by provisioning.');
  await assign.getByRole('button', { name: 'Assign' }).click();
  await expect(page.locator('#assign-block-error')).toContainText('203.0.113.10 is held by web-01.acme.test (Acme Hosting Ltd)');
  await noAxeViolations(page);

  // Staff (not admins) find who holds an address inside the prefix, now, and read without forms.
  const staffContext = await browser.newContext({ baseURL });
  const staff = await staffContext.newPage();
  await signIn(staff, users.staff);
  await staff.goto('/admin/organisations?q=2001:db8:7e57::42');
  await expect(staff.getByRole('table', { name: 'Assignments of the address or prefix searched for' })).toContainText(name);
  const later = new Date(Date.now() + 60_000).toISOString().slice(0, 16);
  await staff.goto(`/admin/organisations?q=198.18.7.5&at=${later}`);
  await expect(staff.getByRole('region', { name: /Who held 198\.18\.7\.5 at/ })).toContainText(`${name}, on service app-01.initech.test`);
  await staff.goto('/admin/organisations?q=198.18.7.5&at=2020-01-01T00:00');
  await expect(staff.getByText('No service held it then.')).toBeVisible();
  await staff.goto('/admin/organisations?q=initech');
  await staff.getByRole('link', { name }).click();
  await expect(staff.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(staff.getByRole('button', { name: 'Add the service' })).toHaveCount(0);
  await staffContext.close();

  // A customer cannot reach the inventory.
  const customerContext = await browser.newContext({ baseURL });
  const customer = await customerContext.newPage();
  await signIn(customer, users.alice);
  expect((await customer.goto('/admin/organisations'))!.status()).toBe(403);
  await customerContext.close();
});

test('an admin invites a customer, who sets a password and signs in', async ({ page, browser, baseURL }) => {
  await signIn(page, users.admin);
  await page.goto('/admin/organisations?q=Globex');
  await page.getByRole('link', { name: 'Globex Corp' }).click();
  await hydrated(page);
  const email = `nina.${Date.now()}@globex.test`;
  await page.getByLabel('E-mail address').fill(email);
  await page.getByRole('button', { name: 'Create the invitation' }).click();
  const link = await page.getByLabel('Invitation link').inputValue();
  expect(link).toMatch(/\/invite\/[0-9a-f]{64}$/);
  await expect(page.getByRole('list', { name: 'Invitations' })).toContainText(email);
  await noAxeViolations(page);

  const newcomerContext = await browser.newContext({ baseURL });
  const newcomer = await newcomerContext.newPage();
  await newcomer.goto(link);
  await hydrated(newcomer);
  await expect(newcomer.getByText('admin@portal.test invited you as Customer of Globex Corp.')).toBeVisible();
  await noAxeViolations(newcomer);
  await newcomer.getByLabel('Choose a password (at least 12 characters)').fill('too short');
  await newcomer.getByLabel('The same password again').fill('too short');
  await newcomer.getByRole('button', { name: 'Create my account' }).click();
  await expect(newcomer.locator('#invite-password-error')).toHaveText('Use a password of at least 12 characters.');
  await newcomer.getByLabel('Choose a password (at least 12 characters)').fill('correct horse battery');
  await newcomer.getByLabel('The same password again').fill('correct horse battery');
  await newcomer.getByRole('button', { name: 'Create my account' }).click();
  await expect(newcomer).toHaveURL(/\/\?welcome=1$/);
  await expect(newcomer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notices' })).toBeVisible();
  await expect(newcomer.getByText(email)).toBeVisible();
  // The link works once.
  await newcomer.goto(link);
  await expect(newcomer.getByRole('heading', { name: 'This invitation cannot be used' })).toBeVisible();
  await newcomerContext.close();

  // The admin disables the account (its sessions end at once: tests/people.rs).
  await page.reload();
  await hydrated(page);
  await page.getByRole('button', { name: `Disable ${email}` }).click();
  await expect(page.getByRole('list', { name: 'Accounts' }).getByRole('listitem').filter({ hasText: email })).toContainText('Disabled');
});

test('an admin previews and applies an inventory import; the same file again changes nothing', async ({ page }) => {
  const org = `Hooli ${Date.now()}`;
  const csv = [
    'organisation,abuse_email,service,kind,addresses',
    `${org},abuse@hooli.test,app-01.hooli.test,vps,198.18.9.1 198.18.9.16/28`,
    `${org},,db-01.hooli.test,dedicated_server,203.0.113.25`,
  ].join('\n');
  await signIn(page, users.admin);
  await page.goto('/admin/organisations');
  await page.getByRole('link', { name: 'Import organisations, services and addresses from a CSV file' }).click();
  await hydrated(page);
  await page.getByLabel('CSV').fill(csv);
  await page.getByRole('button', { name: 'Preview the changes' }).click();
  const outcome = page.getByRole('region', { name: 'Preview: nothing is changed yet' });
  await expect(outcome).toContainText('1 row(s) would change, 0 unchanged, 1 refused.');
  await expect(outcome).toContainText(`organisation ${org} created`);
  await expect(outcome).toContainText('203.0.113.25 is held by mail-01.acme.test (Acme Hosting Ltd): release it there first.');
  await noAxeViolations(page);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('region', { name: 'Applied' })).toContainText('1 row(s) changed, 0 unchanged, 1 refused.');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('region', { name: 'Applied' })).toContainText('0 row(s) changed, 1 unchanged, 1 refused.');
  await page.goto('/admin/organisations?q=198.18.9.20');
  await expect(page.getByRole('table', { name: 'Assignments of the address or prefix searched for' })).toContainText(org);
});
