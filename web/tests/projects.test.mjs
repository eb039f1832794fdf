// Projects in a real browser: an owner invites a teammate, who joins from the e-mail link in a
// second browser; tasks stay inside their project; the board loads a page per column; settings;
// the account pages (forgot password, change password); an administrator's People page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  launch, person, signUp, signUpWithProject, signIn, createProject, createTask, card, column, main,
  invite, openSettings, mailTo, linkIn, unique, uniqueName, currentProject, projectNames, accountMenu,
  eventually, screenshotDir, PASSWORD,
} from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The first administrator is made with the CLI (`taskboard create-user --admin`, as README says),
// on the test stack's database: scripts/test-web.sh exports its DATABASE_URL.
// The `taskboard` command, wherever cargo put it (scripts/lib.sh: CARGO_TARGET_DIR moves it).
const CLI = process.env.CARGO_TARGET_DIR
  ? `${process.env.CARGO_TARGET_DIR}/debug/taskboard`
  : new URL('../../target/debug/taskboard', import.meta.url).pathname;

function createAdmin(name) {
  const email = unique('admin');
  const run = spawnSync(CLI, ['create-user', '--email', email, '--name', name, '--admin'], {
    input: `${PASSWORD}\n`, encoding: 'utf8', env: process.env, timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`taskboard create-user failed: ${run.stderr}`);
  return email;
}

const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What `page`'s session gets for `path` (a GET from inside the page, with its cookie). */
function statusOf(page, path) {
  return page.evaluate(async (p) => (await fetch(p, { headers: { Accept: 'application/json' } })).status, path);
}

/** Open an invitation link as someone with no account, create it, and land on the project. */
async function joinWithNewAccount(page, link, { name, project }) {
  await page.goto(link);
  const form = main(page);
  await form.getByRole('heading', { name: `Join “${project}”` }).waitFor();
  await form.getByLabel('Your name').fill(name);
  await form.getByLabel('Choose a password').fill(PASSWORD);
  await form.getByLabel('Repeat the password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Create account and join' }).click();
  await page.getByText(`You joined “${project}”.`).waitFor();
  await page.getByRole('button', { name: 'New task' }).waitFor();
}

test('an owner invites a teammate who joins in another browser; an outsider sees none of it', async () => {
  const owner = await person(browser);
  const teammate = await person(browser);
  const outsider = await person(browser);
  const [olga, tess] = [uniqueName('Olga'), uniqueName('Tess')];
  const project = uniqueName('Launch');
  const { projectId } = await signUpWithProject(owner.page, olga, project);
  // A second project of Olga's that Tess is not invited to.
  const privateProject = uniqueName('Olga private');
  await createProject(owner.page, privateProject);
  await owner.page.getByLabel('Project', { exact: true }).selectOption({ label: project });
  await eventually('the board of the shared project', async () => (await currentProject(owner.page)) === project);
  assert.match(owner.page.url(), new RegExp(`#project=${projectId}$`));

  // Olga invites an address that has no account yet.
  const tessEmail = unique('tess');
  await invite(owner.page, tessEmail);
  const invitation = await mailTo(teammate.context, tessEmail, { link: 'invite' });

  // Tess opens the link in her own browser: what it is for, then name and password.
  const link = linkIn(invitation, 'invite');
  await teammate.page.goto(link);
  const page = main(teammate.page);
  await page.getByText(`${olga} invited you to join the project “${project}” as a member.`).waitFor();
  await page.getByText(`This invitation is for ${tessEmail}.`).waitFor();
  assert.doesNotMatch(teammate.page.url(), /invite=/, 'the token is taken out of the address');
  await page.getByLabel('Your name').fill(tess);
  await page.getByLabel('Choose a password').fill(PASSWORD);
  await page.getByLabel('Repeat the password').fill(`${PASSWORD} typo`);
  await page.getByRole('button', { name: 'Create account and join' }).click();
  await page.getByText('The two passwords differ.').waitFor();
  await page.getByLabel('Repeat the password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account and join' }).click();
  await teammate.page.getByText(`You joined “${project}”.`).waitFor();
  await teammate.page.getByRole('button', { name: 'New task' }).waitFor();
  // She sees that project only, and she is signed in as the invited address.
  assert.deepEqual(await projectNames(teammate.page), [project]);
  await teammate.page.getByRole('button', { name: new RegExp(`^Account: ${escapeRe(tess)}`) }).waitFor();
  assert.equal(await statusOf(teammate.page, `/api/projects/${projectId}`), 200);

  // The link works once.
  const again = await person(browser);
  await again.page.goto(link);
  await main(again.page).getByText('This invitation link is invalid, has expired or was already used.').waitFor();
  await again.context.close();

  // Olga's settings: Tess is a member, and the invitation is no longer pending.
  await openSettings(owner.page);
  const settings = main(owner.page);
  await settings.getByRole('combobox', { name: `Role of ${tess}` }).waitFor();
  assert.equal(await settings.getByRole('list', { name: 'Pending invitations' }).getByText(tessEmail).count(), 0);
  await settings.getByRole('button', { name: '← Back to the board' }).click();

  // Olga assigns Tess a task; Tess gets the "assigned" e-mail and its link opens the task.
  const title = `Write the launch post ${Date.now()}`;
  await createTask(owner.page, { title, assignee: tess });
  const mail = await mailTo(teammate.context, tessEmail, { subject: new RegExp(`assigned you “${escapeRe(title)}”`) });
  const taskId = mail.body.match(/#\/tasks\/([0-9a-f-]{36})/)[1];
  await teammate.page.goto(`/#/tasks/${taskId}`);
  const dialog = teammate.page.getByRole('dialog', { name: 'Edit task' });
  await dialog.getByText(`${olga} created the task`).waitFor();
  assert.equal(await dialog.getByLabel('Title').inputValue(), title);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await card(teammate.page, title).waitFor();

  // A third person, outside the project, sees none of it.
  await signUp(outsider.page, 'Otto');
  await outsider.page.getByRole('heading', { name: 'You are not in any project yet' }).waitFor();
  assert.equal(await outsider.page.getByLabel('Project', { exact: true }).isVisible(), false);
  assert.equal(await statusOf(outsider.page, `/api/tasks/${taskId}`), 404);
  assert.equal(await statusOf(outsider.page, `/api/projects/${projectId}`), 404);
  assert.equal(await statusOf(outsider.page, `/api/tasks?project=${projectId}&status=todo&limit=50`), 404);
  assert.deepEqual(await outsider.page.evaluate(async () => (await (await fetch('/api/projects')).json()).items), []);
  await outsider.page.goto(`/#/tasks/${taskId}`);
  await outsider.page.getByText('This task does not exist, or you are not a member of its project.').waitFor();
  assert.equal(await outsider.page.getByText(title).count(), 0);

  assert.deepEqual([...owner.page.errors, ...teammate.page.errors, ...outsider.page.errors], []);
  for (const p of [owner, teammate, outsider]) await p.context.close();
});

test('opening a board asks for one page per column, the project and its members, nothing more', async () => {
  const a = await person(browser);
  const { projectId } = await signUpWithProject(a.page, 'Rhea');
  await createTask(a.page, { title: 'Counted requests' });
  const seen = [];
  a.page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/api/')) seen.push(`${r.method()} ${url.pathname}${url.search}`);
  });
  await a.page.reload();
  await card(a.page, 'Counted requests').waitFor();
  await a.page.waitForLoadState('networkidle');
  const lists = seen.filter((r) => r.startsWith('GET /api/tasks?'));
  assert.equal(lists.length, 3, seen.join('\n'));
  for (const status of ['todo', 'in_progress', 'done']) {
    const one = lists.find((r) => new URL(r.slice(4), 'http://x').searchParams.get('status') === status);
    assert.ok(one, `a list for ${status}: ${seen.join('\n')}`);
    const params = new URL(one.slice(4), 'http://x').searchParams;
    assert.equal(params.get('project'), projectId);
    assert.equal(params.get('limit'), '50');
  }
  assert.ok(seen.includes('GET /api/auth/me'), seen.join('\n'));
  assert.ok(seen.includes('GET /api/projects'), seen.join('\n'));
  assert.ok(seen.includes(`GET /api/projects/${projectId}/members`), seen.join('\n'));
  assert.equal(seen.length, 6, seen.join('\n'));
  await a.context.close();
});

test('"Show more" loads the next page of a column', async () => {
  const a = await person(browser);
  const { projectId } = await signUpWithProject(a.page, 'Paige');
  // 52 tasks in Done, written through the API (the UI would take minutes); slowed down only by
  // the per-account write limit, whose Retry-After is honoured.
  const created = await a.page.evaluate(async (pid) => {
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    let made = 0;
    for (let i = 0; made < 52 && i < 400; i += 1) {
      const res = await fetch('/api/tasks', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'fetch' },
        body: JSON.stringify({ project_id: pid, title: `Paged ${String(made).padStart(2, '0')}`, status: 'done' }),
      });
      if (res.status === 201) made += 1;
      else if (res.status === 429) await wait(1000 * Math.min(60, Number(res.headers.get('Retry-After')) || 5));
      else throw new Error(`creating a task answered ${res.status}`);
    }
    return made;
  }, projectId);
  assert.equal(created, 52);
  await a.page.reload();
  const done = column(a.page, 'Done');
  await done.getByRole('button', { name: 'Paged 51', exact: true }).waitFor();
  assert.equal(await done.locator('.card').count(), 50);
  assert.equal(await done.getByRole('button', { name: 'Paged 01', exact: true }).count(), 0);
  await done.getByRole('button', { name: /^Show more/ }).click();
  await done.getByRole('button', { name: 'Paged 00', exact: true }).waitFor();
  assert.equal(await done.locator('.card').count(), 52);
  assert.equal(await done.getByRole('button', { name: /^Show more/ }).isVisible(), false);
  // Focus moves to the first card that appeared, for keyboard users.
  assert.equal(await done.getByRole('button', { name: 'Paged 01', exact: true }).evaluate((b) => b === document.activeElement), true);
  await a.context.close();
});

test('project settings: rename, archive, invitations; a member sees a read-only list and leaves', async () => {
  const owner = await person(browser);
  const member = await person(browser);
  const project = uniqueName('Garden');
  await signUpWithProject(owner.page, 'Gwen', project);
  const settings = main(owner.page);

  // An invitation can be resent and revoked.
  const nobody = unique('nobody');
  await invite(owner.page, nobody);
  await openSettings(owner.page);
  const pending = settings.getByRole('list', { name: 'Pending invitations' });
  await settings.getByRole('button', { name: `Resend the invitation to ${nobody}` }).click();
  await owner.page.getByText(`Sent a new invitation link to ${nobody}.`).first().waitFor();
  await settings.getByRole('button', { name: `Revoke the invitation to ${nobody}` }).click();
  await owner.page.getByRole('dialog', { name: 'Revoke this invitation?' }).getByRole('button', { name: 'Revoke' }).click();
  await pending.getByText(nobody).waitFor({ state: 'detached' });
  await settings.getByRole('button', { name: '← Back to the board' }).click();

  // A member joins, and sees the member list read-only.
  const memberEmail = unique('mo');
  await invite(owner.page, memberEmail);
  const link = linkIn(await mailTo(member.context, memberEmail, { link: 'invite' }), 'invite');
  await joinWithNewAccount(member.page, link, { name: 'Mo', project });
  await member.page.getByRole('button', { name: 'Members' }).click();
  const list = main(member.page);
  await list.getByText('Gwen', { exact: true }).waitFor();
  assert.equal(await list.getByRole('combobox').count(), 0, 'no role menus for a member');
  assert.equal(await list.getByRole('button', { name: 'Rename' }).count(), 0);
  assert.equal(await list.getByRole('button', { name: 'Send invitation' }).count(), 0);

  // Already a member: the owner is told so.
  await openSettings(owner.page);
  await settings.getByLabel('E-mail address').fill(memberEmail);
  await settings.getByRole('button', { name: 'Send invitation' }).click();
  await settings.getByText(`${memberEmail} is already a member of this project.`).waitFor();

  // The only owner cannot make herself a member.
  await settings.getByRole('combobox', { name: 'Role of Gwen' }).selectOption('member');
  await owner.page.getByRole('dialog', { name: 'Stop being an owner?' }).getByRole('button', { name: 'Make me a member' }).click();
  await settings.getByText('A project needs at least one owner.').waitFor();
  assert.equal(await settings.getByRole('combobox', { name: 'Role of Gwen' }).inputValue(), 'owner');

  // Rename: the switcher follows.
  const renamed = `${project} (renamed)`;
  await settings.getByLabel('Project name').fill(renamed);
  await settings.getByRole('button', { name: 'Rename' }).click();
  await eventually('the new name in the switcher', async () => (await currentProject(owner.page)) === renamed);

  // Archive: the board is read-only, then active again.
  await settings.getByRole('button', { name: 'Archive project' }).click();
  await owner.page.getByRole('dialog', { name: /^Archive/ }).getByRole('button', { name: 'Archive' }).click();
  await settings.getByRole('button', { name: 'Unarchive project' }).waitFor();
  await settings.getByRole('button', { name: '← Back to the board' }).click();
  await main(owner.page).getByText('This project is archived').waitFor();
  assert.equal(await owner.page.getByRole('button', { name: 'New task' }).isVisible(), false);
  await openSettings(owner.page);
  await settings.getByRole('button', { name: 'Unarchive project' }).click();
  await settings.getByRole('button', { name: 'Archive project' }).waitFor();
  await settings.getByRole('button', { name: '← Back to the board' }).click();
  await owner.page.getByRole('button', { name: 'New task' }).waitFor();
  const dir = screenshotDir();
  await openSettings(owner.page);
  await owner.page.screenshot({ path: `${dir}settings-desktop.png`, fullPage: true });
  await owner.page.setViewportSize({ width: 390, height: 844 });
  await owner.page.screenshot({ path: `${dir}settings-phone.png`, fullPage: true });
  assert.equal(await owner.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false);

  // The member leaves: back to the page for people without a project.
  await member.page.reload();
  await list.getByRole('heading', { name: `${renamed}: members` }).waitFor();
  await list.getByRole('button', { name: 'Leave project' }).click();
  await member.page.getByRole('dialog', { name: /^Leave/ }).getByRole('button', { name: 'Leave project' }).click();
  await member.page.getByRole('heading', { name: 'You are not in any project yet' }).waitFor();
  await member.page.getByText(`You left “${renamed}”.`).waitFor();
  await member.page.screenshot({ path: `${dir}no-project.png`, fullPage: true });

  assert.deepEqual([...owner.page.errors, ...member.page.errors], []);
  await owner.context.close();
  await member.context.close();
});

test('an invitation to an address that already has an account: sign in with the old password', async () => {
  const owner = await person(browser);
  const existing = await person(browser);
  const project = uniqueName('Orchard');
  await signUpWithProject(owner.page, 'Uma', project);
  const email = await signUp(existing.page, 'Eve');
  await accountMenu(existing.page, 'Sign out');
  await main(existing.page).getByRole('heading', { name: 'Sign in' }).waitFor();

  await invite(owner.page, email);
  const link = linkIn(await mailTo(existing.context, email, { link: 'invite' }), 'invite');
  await existing.page.goto(link);
  const page = main(existing.page);
  await page.getByLabel('Your name').fill('Eve again');
  await page.getByLabel('Choose a password').fill(`${PASSWORD} new`);
  await page.getByLabel('Repeat the password').fill(`${PASSWORD} new`);
  await page.getByRole('button', { name: 'Create account and join' }).click();
  await page.getByText(`You already had an account with ${email}`).waitFor();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await signIn(existing.page, email, PASSWORD);
  await existing.page.getByRole('button', { name: 'New task' }).waitFor();
  assert.deepEqual(await projectNames(existing.page), [project]);
  await owner.context.close();
  await existing.context.close();
});

test('forgot password, reset link, change password, sign out everywhere', async () => {
  const a = await person(browser);
  const email = await signUp(a.page, 'Fran');
  await accountMenu(a.page, 'Sign out');
  const form = main(a.page);
  await form.getByRole('button', { name: 'Forgot password?' }).click();
  await form.getByLabel('E-mail address').fill(email);
  await form.getByRole('button', { name: 'Send me a reset link' }).click();
  await form.getByText(`If an account exists for ${email}, we sent it a link`).waitFor();

  const reset = linkIn(await mailTo(a.context, email, { link: 'reset' }), 'reset');
  await a.page.goto(reset);
  await form.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  assert.doesNotMatch(a.page.url(), /reset=/);
  const second = `${PASSWORD} two`;
  await form.getByLabel('New password', { exact: true }).fill(second);
  await form.getByLabel('Repeat the new password').fill(second);
  await form.getByRole('button', { name: 'Set the new password' }).click();
  await form.getByText('Your password is changed').waitFor();
  await signIn(a.page, email, second);
  await a.page.getByRole('heading', { name: 'You are not in any project yet' }).waitFor();

  // Another browser signed in as Fran is signed out by a password change here.
  const other = await person(browser);
  await other.page.goto('/');
  await signIn(other.page, email, second);
  await other.page.getByRole('heading', { name: 'You are not in any project yet' }).waitFor();

  await accountMenu(a.page, 'Change password');
  const dialog = a.page.getByRole('dialog', { name: 'Change password' });
  await dialog.getByLabel('Current password').fill('not my password');
  await dialog.getByLabel('New password', { exact: true }).fill(`${PASSWORD} three`);
  await dialog.getByLabel('Repeat the new password').fill(`${PASSWORD} three`);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await eventually('an error under the current password', async () => (await dialog.locator('#current-password-error').textContent()) !== '');
  await dialog.getByLabel('Current password').fill(second);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await a.page.getByText('Your password is changed. Your other sessions').waitFor();
  assert.equal(await statusOf(a.page, '/api/auth/me'), 200);
  assert.equal(await statusOf(other.page, '/api/auth/me'), 401);

  await accountMenu(a.page, 'Sign out everywhere');
  await main(a.page).getByText('You are signed out on every device.').waitFor();
  assert.equal(await statusOf(a.page, '/api/auth/me'), 401);
  assert.deepEqual([...a.page.errors, ...other.page.errors], []);
  await a.context.close();
  await other.context.close();
});

test('an administrator deactivates, reactivates and promotes an account', {
  skip: !process.env.DATABASE_URL && 'needs the test stack’s DATABASE_URL (run by scripts/test-web.sh)',
}, async () => {
  const admin = await person(browser);
  const val = await person(browser);
  const adminName = uniqueName('Adele');
  const adminEmail = createAdmin(adminName);
  const valName = uniqueName('Val');
  const valEmail = await signUp(val.page, valName);
  assert.equal(await statusOf(val.page, '/api/admin/users'), 403);

  await admin.page.goto('/');
  await signIn(admin.page, adminEmail);
  await admin.page.getByRole('heading', { name: 'You are not in any project yet' }).waitFor();
  await accountMenu(admin.page, 'People');
  const people = main(admin.page);
  await people.getByRole('heading', { name: 'People' }).waitFor();
  const mine = people.getByRole('listitem').filter({ hasText: adminEmail });
  await mine.getByText('Another administrator can change your account.').waitFor();
  assert.equal(await mine.getByRole('button').count(), 0);

  // Deactivated: signed out at once, and the password no longer works.
  const row = people.getByRole('listitem').filter({ hasText: valEmail });
  await row.getByRole('button', { name: `Deactivate ${valName}` }).click();
  await admin.page.getByRole('dialog', { name: `Deactivate ${valName}?` }).getByRole('button', { name: 'Deactivate' }).click();
  await row.getByText('Deactivated', { exact: true }).waitFor();
  assert.equal(await statusOf(val.page, '/api/auth/me'), 401);
  await val.page.reload();
  await signIn(val.page, valEmail);
  await main(val.page).getByText('That e-mail address and password do not match.').waitFor();

  // Reactivated: signing in works again.
  await row.getByRole('button', { name: `Reactivate ${valName}` }).click();
  await row.getByRole('button', { name: `Deactivate ${valName}` }).waitFor();
  await signIn(val.page, valEmail);
  await val.page.getByRole('heading', { name: 'You are not in any project yet' }).waitFor();

  // Promoted: Val sees the People page too.
  await row.getByRole('button', { name: /^Make administrator/ }).click();
  await row.getByText('Administrator', { exact: true }).waitFor();
  await val.page.reload();
  await val.page.getByRole('heading', { name: 'You are not in any project yet' }).waitFor();
  await accountMenu(val.page, 'People');
  await main(val.page).getByRole('listitem').filter({ hasText: adminEmail }).waitFor();
  assert.deepEqual([...admin.page.errors, ...val.page.errors], []);
  await admin.context.close();
  await val.context.close();
});
