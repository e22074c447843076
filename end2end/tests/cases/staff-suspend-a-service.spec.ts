import { test, expect } from '@playwright/test';
import { hydrated, signIn, users } from '../../fixtures/auth';
import { openNotice } from '../../fixtures/cases';

test('staff suspend a service; the customer sees the measure in force; staff end it', async ({ page, browser, baseURL }) => {
  const id = await openNotice(browser, baseURL!, {
    service: 'Globex Corp · db-01.globex.test (Dedicated server (bare metal))',
    category: 'Open relay, proxy or amplification',
    summary: 'An open SOCKS proxy on this server relayed 2,000 connections to mail servers.',
  });
  await signIn(page, users.staff);
  await page.goto(`/admin/cases/${id}`);
  await hydrated(page);
  await page.getByLabel('Measure', { exact: true }).selectOption({ label: 'Suspension' });
  await page.getByLabel('Why the measure is taken').fill('Open proxy still relaying after the notice.');
  await page.getByLabel('The upstream provider was asked to apply it').check();
  await page.getByRole('button', { name: 'Start measure' }).click();
  const inForce = page.getByRole('list', { name: 'In force now' });
  await expect(inForce).toContainText('Suspension on whole service');
  await expect(inForce).toContainText('upstream provider asked');
  await expect(page.getByRole('region', { name: 'Affected service' })).toContainText('Suspended');

  await page.getByLabel('Add a note').fill('Same proxy software as the case last month; check the reseller.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByRole('list', { name: 'Notes' })).toContainText('Same proxy software as the case last month');

  const customerContext = await browser.newContext({ baseURL });
  const customer = await customerContext.newPage();
  await signIn(customer, users.bob);
  await customer.goto(`/notices/${id}`);
  await expect(customer.getByRole('list', { name: 'In force now' })).toContainText('Suspension on whole service');
  await expect(customer.getByRole('list', { name: 'In force now' })).toContainText('by Abuse desk');
  await expect(customer.getByRole('region', { name: 'Affected service' })).toContainText('Suspended');
  await expect(customer.getByText('Same proxy software')).toHaveCount(0);
  await expect(customer.getByText('Internal note')).toHaveCount(0);

  await page.getByLabel('Why it ends').fill('Proxy removed; verified closed from outside.');
  await page.getByRole('button', { name: 'End measure' }).click();
  await expect(page.getByText('No measures are in force now.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Affected service' })).toContainText('Active');
  await expect(page.getByRole('region', { name: 'Audit trail' })).toContainText('Measure ended: Suspension on whole service');
  await customer.reload();
  await expect(customer.getByRole('region', { name: 'Affected service' })).toContainText('Active');
  await customerContext.close();
});
