// Shared by the browser tests: Debian's Chromium through playwright-core, against the dev stack
// that scripts/test-web.sh starts (BASE_URL).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const BASE_URL = process.env.BASE_URL || 'http://127.0.0.1:3000';
export const PASSWORD = 'correct horse battery staple';
export const SHOTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A fresh browser context (its own cookies) with a page that fails the test on script errors. */
export async function person(browser, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, baseURL: BASE_URL });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.dialogs = [];
  page.on('dialog', async (d) => { page.dialogs.push(d.message()); await d.dismiss(); });
  return { context, page };
}

/** A name no other test run uses, so tests can share a stack. */
export function uniqueName(name) {
  return `${name} ${Math.random().toString(36).slice(2, 7)}`;
}

/** Wait until `locator`'s input value is `value` (or fail after 10 s). */
export async function valueIs(locator, value) {
  const until = Date.now() + 10_000;
  for (;;) {
    const now = await locator.inputValue();
    if (now === value) return;
    if (Date.now() > until) throw new Error(`expected value ${JSON.stringify(value)}, still ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function unique(name) {
  return `${name.toLowerCase()}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
}

export async function signUp(page, name) {
  const email = unique(name.split(' ')[0]);
  await page.goto('/');
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: 'New task' }).waitFor();
  return email;
}

export async function createTask(page, { title, assignee, due }) {
  await page.getByRole('button', { name: 'New task' }).click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await dialog.getByLabel('Title').fill(title);
  if (assignee) await dialog.getByLabel('Assignee').selectOption({ label: assignee });
  if (due) await dialog.getByLabel(/Due date/).fill(due);
  await dialog.getByRole('button', { name: 'Create task' }).click();
  await dialog.waitFor({ state: 'hidden' });
  return card(page, title);
}

export function column(page, name) {
  return page.getByRole('region', { name: new RegExp(`^${name}`) });
}

export function card(page, title) {
  return page.locator('.card').filter({ has: page.getByRole('button', { name: title, exact: true }) });
}

export function screenshotDir() {
  mkdirSync(SHOTS, { recursive: true });
  return SHOTS;
}
