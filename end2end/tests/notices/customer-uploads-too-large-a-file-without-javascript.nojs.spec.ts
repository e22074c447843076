import { test, expect } from '@playwright/test';
import { signIn, users } from '../../fixtures/auth';
import { openNotice } from '../../fixtures/cases';

// The server answers only after reading the whole upload, so the browser shows the form with the
// message, never a "connection reset" page. Tried several times: the failure was intermittent.
test('an 11 MiB file without JavaScript comes back as a message next to its field, statement kept', async ({ page, browser, baseURL }) => {
  test.slow();
  const id = await openNotice(browser, baseURL!, {
    service: 'Acme Hosting Ltd · app-02.acme.test (Cloud server)',
    category: 'Phishing or scam',
    summary: 'A phishing page imitating a bank was reported by three recipients.',
  });
  await signIn(page, users.alice, { javaScript: false });
  const noticeUrl = `/notices/${id}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.goto(noticeUrl);
    await page.getByLabel('What caused the abuse?').fill('Phishing pages were uploaded through an old plugin.');
    await page.getByLabel('What did you fix?').fill('Removed the plugin and the pages; reset the admin password.');
    await page.getByLabel('How do you prevent it from happening again?').fill('Automatic plugin updates and a weekly scan.');
    await page.getByLabel('File 1', { exact: true }).setInputFiles({
      name: 'webserver.log',
      mimeType: 'text/plain',
      buffer: Buffer.alloc(11 * 1024 * 1024, 'b'),
    });
    await page.getByRole('button', { name: 'Submit evidence' }).click();
    await expect(page.locator('#evidence-file-1-error')).toContainText(
      'webserver.log is larger than the 10 MiB limit for one file.',
    );
    await expect(page.getByRole('alert')).toContainText('Your evidence was not sent: see File 1 below.');
    await expect(page.getByLabel('What did you fix?')).toHaveValue('Removed the plugin and the pages; reset the admin password.');
  }
});
