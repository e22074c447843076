import { test, expect } from '@playwright/test';
import { hydrated, signIn, users } from '../../fixtures/auth';
import { openNotice } from '../../fixtures/cases';

// Uses the demo's phishing notice of Acme (evidence rejected, so new evidence is due).

test('a customer attaches a log and a scan; a disguised file is refused and the statement kept', async ({ page }) => {
  await signIn(page, users.alice);
  await page.goto('/notices?category=phishing');
  await page.getByRole('link', { name: /Notice #\d+/ }).first().click();
  await hydrated(page);
  const noticeUrl = page.url();

  await page.getByLabel('What caused the abuse?').fill('Two phishing kits were left in a second uploads folder.');
  await page.getByLabel('What did you fix?').fill('Deleted both folders and blocked PHP execution in uploads.');
  await page.getByLabel('How do you prevent it from happening again?').fill('File integrity monitoring alerts on new PHP files.');
  await page.getByLabel('File 1 is a').selectOption({ label: 'Malware scan' });
  await page.getByLabel('File 1', { exact: true }).setInputFiles({
    name: 'scan-report.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00 this is a Windows program, not a PDF'),
  });
  await page.getByRole('button', { name: 'Submit evidence' }).click();
  await expect(page.getByRole('alert')).toContainText('Your evidence was not sent: see File 1 below.');
  const fileError = page.locator('#evidence-file-1-error');
  await expect(fileError).toContainText('scan-report.pdf: This file is not an image, a PDF or plain text');
  await expect(fileError).toContainText('Your statement was kept; choose the files again.');
  await expect(page.getByLabel('File 1', { exact: true })).toHaveAccessibleDescription(/This file is not an image/);
  await expect(page.getByLabel('What did you fix?')).toHaveValue('Deleted both folders and blocked PHP execution in uploads.');

  await page.getByLabel('File 1 is a').selectOption({ label: 'Malware scan' });
  await page.getByLabel('File 1', { exact: true }).setInputFiles({
    name: 'scan-report.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n'),
  });
  await page.getByLabel('File 2 is a').selectOption({ label: 'Log excerpt' });
  await page.getByLabel('File 2', { exact: true }).setInputFiles({
    name: 'access.log',
    mimeType: 'text/plain',
    buffer: Buffer.from('203.0.113.10 - - [24/Nov/2026:10:00:00 +0000] "GET /wp-content/uploads/ HTTP/1.1" 404\n'),
  });
  await page.getByRole('button', { name: 'Submit evidence' }).click();
  await expect(page).toHaveURL(noticeUrl);
  await expect(page.getByText("Waiting for the abuse desk's review.")).toBeVisible();
  const files = page.getByRole('list', { name: 'Files' }).first();
  await expect(files.getByRole('link', { name: 'scan-report.pdf' })).toBeVisible();
  await expect(files).toContainText('Malware scan · PDF document');
  await expect(files.getByRole('link', { name: 'access.log' })).toBeVisible();
  await expect(files).toContainText('Log excerpt · Plain text');

  const download = await page.request.get(await files.getByRole('link', { name: 'access.log' }).getAttribute('href') as string);
  expect(download.status()).toBe(200);
  expect(download.headers()['content-disposition']).toContain('attachment');
  expect(download.headers()['x-content-type-options']).toBe('nosniff');
  expect(await download.text()).toContain('/wp-content/uploads/');
});

test('a file over the size limit is refused in the browser before anything is sent', async ({ page, browser, baseURL }) => {
  const id = await openNotice(browser, baseURL!, {
    service: 'Acme Hosting Ltd · web-01.acme.test (VPS)',
    category: 'Malware distribution',
    summary: 'A malware sample was served from this address to 25 visitors.',
  });
  await signIn(page, users.alice);
  await page.goto(`/notices/${id}`);
  await hydrated(page);
  let uploads = 0;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/evidence')) uploads += 1;
  });
  await page.getByLabel('What caused the abuse?').fill('A forgotten test install of a CMS was compromised.');
  await page.getByLabel('What did you fix?').fill('Removed the install and rotated every credential on the host.');
  await page.getByLabel('How do you prevent it from happening again?').fill('Test installs now live behind the VPN only.');
  const file = page.getByLabel('File 1', { exact: true });
  await file.setInputFiles({ name: 'full-access.log', mimeType: 'text/plain', buffer: Buffer.alloc(12 * 1024 * 1024, 'a') });
  await expect(page.locator('#evidence-file-1-error')).toHaveText('full-access.log is larger than the 10 MiB limit for one file.');
  await expect(file).toHaveAttribute('aria-invalid', 'true');
  await page.getByRole('button', { name: 'Submit evidence' }).click();
  await expect(file).toBeFocused();
  expect(uploads).toBe(0);
  await expect(page.getByLabel('What did you fix?')).toHaveValue('Removed the install and rotated every credential on the host.');
});
