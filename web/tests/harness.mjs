// Shared by the browser tests: Debian's Chromium through playwright-core, against the dev stack
// that scripts/test-web.sh starts (BASE_URL), with its sign-up policy `open` (verification links
// in the dev mailbox).
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

/** Poll `check` until it returns something truthy (or fail after `timeout` ms, saying `what`). */
export async function eventually(what, check, timeout = 10_000, every = 50) {
  const until = Date.now() + timeout;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Wait until `locator`'s input value is `value` (or fail after 10 s). */
export async function valueIs(locator, value) {
  let now;
  try {
    await eventually(`value ${JSON.stringify(value)}`, async () => (now = await locator.inputValue()) === value);
  } catch {
    throw new Error(`expected value ${JSON.stringify(value)}, still ${JSON.stringify(now)}`);
  }
}

export function unique(name) {
  return `${name.toLowerCase()}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
}

/** The one visible page region (every view of the site is a `<main>`; the others are hidden). */
export function main(page) {
  return page.getByRole('main');
}

// ---- the dev mailbox ------------------------------------------------------------------------

function unescapeHtml(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Every message on the dev mailbox page (tools/taskboard-cli/src/mailbox.rs), newest first. */
function parseMailbox(html) {
  const mails = [];
  const re = /<li class="mail">([\s\S]*?)<\/li>/g;
  for (const [, item] of html.matchAll(re)) {
    const subject = item.match(/<strong>([\s\S]*?)<\/strong>/)?.[1] ?? '';
    const to = item.match(/To ([^<]*?) · from/)?.[1] ?? '';
    const body = item.match(/<pre class="mail-body">([\s\S]*?)<\/pre>/)?.[1] ?? '';
    mails.push({ subject: unescapeHtml(subject), to: unescapeHtml(to).split(', '), body: unescapeHtml(body) });
  }
  return mails;
}

/**
 * The newest e-mail to `address` whose subject matches `subject` and that carries a `link`
 * (`invite`, `verify`, `reset`), waiting for it up to `timeout` ms: mail goes out asynchronously.
 */
export async function mailTo(context, address, { subject, link, timeout = 30_000 } = {}) {
  return eventually(`an e-mail to ${address}${subject ? ` about ${subject}` : ''}${link ? ` with a ${link} link` : ''}`, async () => {
    const res = await context.request.get(`${BASE_URL}/_dev/mailbox`);
    if (!res.ok()) return null;
    return parseMailbox(await res.text()).find((m) => m.to.includes(address)
      && (!subject || subject.test(m.subject))
      && (!link || linkIn(m, link, false)));
  }, timeout, 300);
}

/** Every e-mail to `address` now in the mailbox. */
export async function mailsTo(context, address) {
  const res = await context.request.get(`${BASE_URL}/_dev/mailbox`);
  return parseMailbox(await res.text()).filter((m) => m.to.includes(address));
}

/** The site-relative address of the `kind` link in `mail`: `/#invite=<token>`. */
export function linkIn(mail, kind, required = true) {
  const match = mail.body.match(new RegExp(`#${kind}=([A-Za-z0-9_\\-.~%]+)`));
  if (!match && required) throw new Error(`no ${kind} link in the e-mail “${mail.subject}”:\n${mail.body}`);
  return match ? `/#${kind}=${match[1]}` : null;
}

// ---- accounts and projects --------------------------------------------------------------------

/** Sign in on the sign-in form (the page must show it). */
export async function signIn(page, email, password = PASSWORD) {
  const form = main(page);
  await form.getByLabel('E-mail address').fill(email);
  await form.getByLabel('Password', { exact: true }).fill(password);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * Sign up as `name`, open the verification link from the dev mailbox, sign in. Ends on the page a
 * person with no project sees. Returns the new address.
 */
export async function signUp(page, name) {
  const email = unique(name.split(' ')[0]);
  await page.goto('/');
  const form = main(page);
  await form.getByRole('button', { name: 'Create an account' }).click();
  await form.getByLabel('Your name').fill(name);
  await form.getByLabel('E-mail address').fill(email);
  await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await form.getByRole('button', { name: 'Create account' }).click();
  await form.getByText('Check your mail').waitFor();
  const mail = await mailTo(page.context(), email, { link: 'verify' });
  await page.goto(linkIn(mail, 'verify'));
  await form.getByText('Your address is verified').waitFor();
  await signIn(page, email);
  await page.getByRole('heading', { name: 'You are not in any project yet' }).waitFor();
  return email;
}

/** The name of the project the switcher shows. */
export async function currentProject(page) {
  return page.getByLabel('Project', { exact: true }).evaluate((s) => s.selectedOptions[0]?.textContent ?? null);
}

/** The names in the project switcher. */
export async function projectNames(page) {
  return page.getByLabel('Project', { exact: true }).evaluate((s) => [...s.options].map((o) => o.textContent));
}

/** Create a project (from the first-project page, or with "New project") and open its board. */
export async function createProject(page, name) {
  const first = page.getByRole('heading', { name: 'You are not in any project yet' });
  if (await first.isVisible()) {
    await main(page).getByLabel('Project name').fill(name);
    await main(page).getByRole('button', { name: 'Create project' }).click();
  } else {
    await page.getByRole('button', { name: 'New project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByLabel('Project name').fill(name);
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await dialog.waitFor({ state: 'hidden' });
  }
  await page.getByRole('button', { name: 'New task' }).waitFor();
  await eventually(`project “${name}” in the switcher`, async () => (await currentProject(page)) === name);
  return page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('project'));
}

/** A new account with a project of its own, on that project's board. */
export async function signUpWithProject(page, name, project = uniqueName(`${name.split(' ')[0]}’s project`)) {
  const email = await signUp(page, name);
  const projectId = await createProject(page, project);
  return { email, project, projectId };
}

export async function openSettings(page) {
  await page.getByRole('button', { name: /^(Project settings|Members)$/ }).click();
  await page.getByRole('heading', { level: 2, name: /: (settings|members)$/ }).waitFor();
}

/** As an owner on a project's board: invite `email` from the settings, then back to the board. */
export async function invite(page, email, role = 'member') {
  await openSettings(page);
  const settings = main(page);
  await settings.getByLabel('E-mail address').fill(email);
  await settings.getByLabel('Role', { exact: true }).selectOption(role);
  await settings.getByRole('button', { name: 'Send invitation' }).click();
  await settings.getByRole('list', { name: 'Pending invitations' }).getByText(email).waitFor();
  await settings.getByRole('button', { name: '← Back to the board' }).click();
  await page.getByRole('button', { name: 'New task' }).waitFor();
}

/** Open the account menu in the header and click one of its entries. */
export async function accountMenu(page, entry) {
  await page.getByRole('button', { name: /^Account:/ }).click();
  await page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: entry, exact: true }).click();
}

// ---- the board ------------------------------------------------------------------------------

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
