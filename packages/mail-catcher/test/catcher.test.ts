import { afterAll, beforeAll, expect, test } from 'vitest';
import nodemailer from 'nodemailer';
import { MailInbox, linkIn, startMailCatcher, type RunningMailCatcher } from '../src/index.js';

let catcher: RunningMailCatcher;
beforeAll(async () => {
  catcher = await startMailCatcher();
});
afterAll(async () => {
  await catcher?.stop();
});

test('a mail sent over SMTP shows up in the inbox API with its text and link, for its recipient only', async () => {
  const transport = nodemailer.createTransport(catcher.smtpUrl);
  await transport.sendMail({ from: 'a@example.com', to: 'Someone@Example.com', subject: 'Verify', text: 'Open https://app.example/verify#t=abc now.', html: '<p>hi</p>' });
  await transport.sendMail({ from: 'a@example.com', to: 'other@example.com', subject: 'Other', text: 'x' });
  const inbox = new MailInbox(catcher.webUrl);
  const mail = await inbox.waitForMail('someone@example.com', { subject: /Verify/ });
  expect(mail.html).toContain('<p>hi</p>');
  expect(linkIn(mail, 'https://app.example/')).toBe('https://app.example/verify#t=abc');
  expect((await inbox.mailsTo('someone@example.com')).map((m) => m.subject)).toEqual(['Verify']);
  transport.close();
});

test('the web inbox page is served', async () => {
  const response = await fetch(catcher.webUrl, { headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('<html');
});
