// The site in a real browser: two people in a project, the board, drag and drop, keyboard moves,
// history, e-mail, XSS, conflicts and signing out. (Projects, invitations and accounts:
// projects.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, person, signUp, signUpWithProject, createTask, column, card, screenshotDir, uniqueName, valueIs,
  invite, mailTo, linkIn, main, accountMenu, currentProject, BASE_URL, PASSWORD,
} from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('two people: invite, assign, drag to In progress, reload, history and e-mail', async () => {
  const a = await person(browser);
  const b = await person(browser);
  const [ada, bob] = [uniqueName('Ada'), uniqueName('Bob')];
  const { email: aEmail, project } = await signUpWithProject(a.page, ada);
  const bEmail = await signUp(b.page, bob);

  // Bob already has an account: signed in, he joins from the invitation link with one button.
  await invite(a.page, bEmail);
  const invitation = await mailTo(b.context, bEmail, { link: 'invite' });
  await b.page.goto(linkIn(invitation, 'invite'));
  await main(b.page).getByText(`${ada} invited you to join the project “${project}” as a member.`).waitFor();
  await main(b.page).getByRole('button', { name: 'Join project' }).click();
  await b.page.getByText(`You joined “${project}”.`).waitFor();
  await b.page.getByRole('button', { name: 'New task' }).waitFor();
  assert.equal(await currentProject(b.page), project);

  // Ada's assignee picker asks for the members again when the dialog opens: Bob is in it.
  const title = `Prepare the launch ${Date.now()}`;
  await createTask(a.page, { title, assignee: bob, due: '2026-12-03' });
  assert.match(await card(a.page, title).textContent(), new RegExp(bob));

  // Bob sees it under "Assigned to me" and drags it to In progress.
  await b.page.reload();
  await b.page.getByRole('button', { name: 'Assigned to me' }).click();
  const bobsCard = card(b.page, title);
  await bobsCard.waitFor();
  assert.equal(await b.page.getByRole('button', { name: 'Assigned to me' }).getAttribute('aria-pressed'), 'true');
  await bobsCard.dragTo(column(b.page, 'In progress').locator('.cards'));
  await column(b.page, 'In progress').getByRole('button', { name: title }).waitFor();

  // Ada reloads: still signed in, the card has moved, and the history says who moved it.
  await a.page.reload();
  await column(a.page, 'In progress').getByRole('button', { name: title }).waitFor();
  assert.equal(await column(a.page, 'To do').getByRole('button', { name: title }).count(), 0);
  await column(a.page, 'In progress').getByRole('button', { name: title }).click();
  const dialog = a.page.getByRole('dialog', { name: 'Edit task' });
  await dialog.getByText(`${bob} moved it from To do to In progress`).waitFor();
  await dialog.getByText(`${ada} created the task`).waitFor();
  // And who was e-mailed about the creation, and how it went.
  await dialog.locator('.deliveries').filter({ hasText: `E-mailed: ${bob} (sent)` }).waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // The e-mail to Ada is in the dev mailbox.
  const mail = await mailTo(a.context, aEmail, { subject: /moved to In progress/ });
  assert.match(mail.subject, new RegExp(title));

  assert.deepEqual([...a.page.errors, ...b.page.errors], []);
  await a.context.close();
  await b.context.close();
});

test('a task can be moved with the keyboard alone', async () => {
  const a = await person(browser);
  await signUpWithProject(a.page, 'Kay');
  const title = `Keyboard move ${Date.now()}`;
  await createTask(a.page, { title });
  // Tab from the card's title to its "Move to" menu, then choose with the arrow keys.
  await card(a.page, title).getByRole('button', { name: title }).focus();
  await a.page.keyboard.press('Tab');
  const move = card(a.page, title).getByLabel(`Move “${title}” to`);
  assert.equal(await move.evaluate((el) => el === document.activeElement), true, 'focus is on the move menu');
  await a.page.keyboard.press('ArrowDown');
  await column(a.page, 'In progress').getByRole('button', { name: title }).waitFor();
  await a.page.getByText(`Moved “${title}” to In progress.`).waitFor({ state: 'attached' });
  // Focus stays with the card, so the next move needs no mouse either.
  await a.page.keyboard.press('ArrowDown');
  await column(a.page, 'Done').getByRole('button', { name: title }).waitFor();
  await a.page.reload();
  await column(a.page, 'Done').getByRole('button', { name: title }).waitFor();
  await a.context.close();
});

test('a title or project name that looks like HTML is shown as text and never runs', async () => {
  const a = await person(browser);
  const project = `<b onmouseover=alert(2)>Mal</b><img src=y onerror=alert(3)> ${Date.now()}`;
  await signUpWithProject(a.page, 'Mallory', project);
  assert.equal(await currentProject(a.page), project);
  assert.equal(await a.page.locator('header b, header img').count(), 0);
  const title = `<img src=x onerror=alert(1)> ${Date.now()}`;
  await createTask(a.page, { title });
  const shown = card(a.page, title).getByRole('button', { name: title, exact: true });
  assert.equal(await shown.textContent(), title);
  assert.equal(await a.page.locator('.card img').count(), 0);
  await shown.click();
  await valueIs(a.page.getByLabel('Title'), title);
  await a.page.getByRole('button', { name: 'Cancel' }).click();
  assert.deepEqual(a.page.dialogs, [], 'no alert ran');
  assert.deepEqual(a.page.errors, []);
  await a.context.close();
});

test('a conflicting edit is explained and their version can be loaded', async () => {
  const a = await person(browser);
  await signUpWithProject(a.page, 'Cora');
  const title = `Contended ${Date.now()}`;
  await createTask(a.page, { title });
  await card(a.page, title).getByRole('button', { name: title }).click();
  const dialog = a.page.getByRole('dialog', { name: 'Edit task' });
  await dialog.getByLabel('Title').waitFor();

  // Meanwhile the task changes elsewhere (same account, another tab).
  const other = await a.context.newPage();
  await other.goto('/');
  const id = await a.page.evaluate(() => location.hash.split('/').pop());
  const status = await other.evaluate(async ([taskId]) => {
    const res = await fetch(`/api/tasks/${taskId}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'taskboard', 'If-Match': '"1"' },
      body: JSON.stringify({ title: 'Changed in another tab' }),
    });
    return res.status;
  }, [id]);
  assert.equal(status, 200);

  await dialog.getByLabel('Title').fill('My edit');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await dialog.getByText('Someone else changed this task while you were editing it.').waitFor();
  await dialog.getByRole('button', { name: 'Load their version' }).click();
  await valueIs(dialog.getByLabel('Title'), 'Changed in another tab');
  await dialog.getByRole('button', { name: 'Save changes' }).waitFor();
  await a.context.close();
});

test('deleting asks first; signing out ends the session', async () => {
  const a = await person(browser);
  await signUpWithProject(a.page, 'Dee');
  const title = `Short-lived ${Date.now()}`;
  await createTask(a.page, { title });
  await card(a.page, title).getByRole('button', { name: title }).click();
  await a.page.getByRole('button', { name: 'Delete task' }).click();
  const confirm = a.page.getByRole('dialog', { name: 'Delete this task?' });
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  assert.equal(await a.page.getByRole('dialog', { name: 'Edit task' }).isVisible(), true);
  await a.page.getByRole('button', { name: 'Delete task' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await card(a.page, title).waitFor({ state: 'detached' });

  await accountMenu(a.page, 'Sign out');
  await a.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await a.page.reload();
  await a.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const me = await a.page.evaluate(async () => (await fetch('/api/auth/me')).status);
  assert.equal(me, 401);
  await a.context.close();
});

test('sign-in errors are in words a person understands', async () => {
  const a = await person(browser);
  await a.page.goto('/');
  const form = main(a.page);
  await form.getByLabel('E-mail address').fill('nobody@example.com');
  await form.getByLabel('Password', { exact: true }).fill('wrong password');
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
  await form.getByText('That e-mail address and password do not match.').waitFor();
  await form.getByRole('button', { name: 'Create an account' }).click();
  await form.getByLabel('Your name').fill('Pat');
  await form.getByLabel('E-mail address').fill('pat@example.com');
  await form.getByLabel('Password', { exact: true }).fill('password');
  await form.getByRole('button', { name: 'Create account' }).click();
  await form.getByText('this password is too common').waitFor();

  // Signed up but not verified yet: the right password is refused with what to do.
  const email = `pat-${Date.now().toString(36)}@example.com`;
  await form.getByLabel('E-mail address').fill(email);
  await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await form.getByRole('button', { name: 'Create account' }).click();
  await form.getByText(`Check your mail: we sent a link to ${email}`).waitFor();
  await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
  await form.getByText('Verify your address first').waitFor();
  await a.context.close();
});

test('screenshots of the board at desktop and phone width', async () => {
  const dir = screenshotDir();
  const a = await person(browser);
  await signUpWithProject(a.page, 'Sam', 'Website relaunch');
  await a.page.getByText('No tasks here yet').waitFor();
  await createTask(a.page, { title: 'Write the release notes', due: '2026-12-01' });
  const moving = await createTask(a.page, { title: 'Review the sign-in page' });
  await moving.getByLabel(/Move/).selectOption('in_progress');
  const done = await createTask(a.page, { title: 'Set up the staging stack' });
  await done.getByLabel(/Move/).selectOption('done');
  await column(a.page, 'Done').getByRole('button', { name: 'Set up the staging stack' }).waitFor();
  await a.page.screenshot({ path: `${dir}board-desktop.png`, fullPage: true });
  await a.page.setViewportSize({ width: 390, height: 844 });
  await a.page.screenshot({ path: `${dir}board-phone.png`, fullPage: true });
  // At phone width nothing overflows sideways.
  const overflow = await a.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false);
  console.log(`screenshots written to ${dir} (board at ${BASE_URL})`);
  await a.context.close();
});
