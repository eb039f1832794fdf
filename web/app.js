// Taskboard's site: who is signed in, their projects, the board, settings and the e-mail links.
// All user text is set with textContent, never as HTML.
//
// Addresses (the part after #):
//   project=<id>                 the board of a project (remembered per person in localStorage)
//   project=<id>&view=settings   its settings (owners) or member list (members)
//   view=people                  administrators: every account
//   /tasks/<id>                  a task (the links in task e-mail point there)
//   invite=<t>, verify=<t>, reset=<t>   e-mail links: read once, then taken out of the address
import { api, request, ApiError, describe } from './api.js';
import { $, el } from './dom.js';
import { state, rememberedProject, rememberProject } from './state.js';
import { setUpAuth, showSignIn, showForgot, showReset } from './auth.js';
import { setUpBoard, loadBoard, upsertTask, removeTask, clearBoard, message, draw, drawChrome } from './board.js';
import { setUpTaskDialog, newTask, openTask } from './task-dialog.js';
import { setUpProjects, loadProjects, loadMembers, pickProject, drawSwitcher, dropProject } from './projects.js';
import { setUpSettings, showSettings } from './settings.js';
import { setUpPeople, showPeople } from './people.js';
import { setUpAccount, drawAccount } from './account.js';
import { setUpInvite, showInvitation, pendingInvitation } from './invite.js';
import { announce, flash, setUpFlash } from './ui.js';

const VIEWS = ['loading', 'auth', 'invite', 'welcome', 'board', 'settings', 'people'];
const GONE = 'That project does not exist, or you are no longer a member of it.';
let view = 'loading';
let boardFor = null; // the project whose board is loaded
let routeSeq = 0;

function show(next) {
  view = next;
  for (const v of VIEWS) $(v).hidden = v !== next;
  drawAccount();
  $('switcher').hidden = !state.me || state.projects.length === 0 || !['board', 'settings', 'people'].includes(next);
}

function loadingFailed(text) {
  show('loading');
  $('loading').replaceChildren(text, ' ', el('button', { type: 'button', class: 'link', text: 'Try again', onclick: () => enter() }));
}

// ---- addresses ------------------------------------------------------------------------------

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseHash(hash = location.hash) {
  const h = hash.replace(/^#/, '');
  const task = h.match(/^\/tasks\/([0-9a-fA-F-]{36})$/);
  if (task) return { task: task[1].toLowerCase() };
  const link = h.match(/^(invite|verify|reset)=([^&]+)/);
  if (link) return { link: link[1], token: safeDecode(link[2]) };
  const params = new URLSearchParams(h);
  return { project: params.get('project'), view: params.get('view') };
}

function hashFor(projectId, subview = null) {
  if (projectId) return `#project=${encodeURIComponent(projectId)}${subview ? `&view=${subview}` : ''}`;
  return subview ? `#view=${subview}` : '';
}

/** Change the address without a new history entry or a hashchange. */
function setHash(hash) {
  const now = location.hash === '#' ? '' : location.hash;
  if (now !== hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
}

/** Go to an address (a history entry, so Back works), then show it. */
function go(hash) {
  if (location.hash === hash || (!hash && !location.hash)) route();
  else if (hash) location.hash = hash;
  else { setHash(''); route(); }
}

// ---- signing in and out ---------------------------------------------------------------------

function forget() {
  state.me = null;
  state.projects = [];
  state.projectId = null;
  state.members = [];
  boardFor = null;
  clearBoard();
  for (const id of ['task-dialog', 'project-dialog', 'password-dialog', 'confirm-dialog']) {
    if ($(id).open) $(id).close();
  }
  drawAccount();
}

function signedOut(text = '', options = {}) {
  forget();
  flash('');
  show('auth');
  showSignIn(text, options);
}

const sessionEnded = () => signedOut('Your session has ended. Sign in again.');

async function logout(everywhere) {
  try {
    await api('POST', everywhere ? '/api/auth/logout-all' : '/api/auth/logout');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      flash(`Could not sign out. ${describe(error)}`, { error: true });
      return false;
    }
  }
  return true;
}

async function signOut(everywhere) {
  if (!(await logout(everywhere))) return;
  history.replaceState(null, '', location.pathname);
  signedOut('', { notice: everywhere ? 'You are signed out on every device.' : '' });
}

/** Who signed in, with `is_admin` (which /api/auth/me carries, a sign-in's answer may not). */
async function adopt(user) {
  state.me = user;
  if (!('is_admin' in user)) {
    try {
      state.me = await api('GET', '/api/auth/me');
    } catch {
      state.me = { ...user, is_admin: false };
    }
  }
  drawAccount();
}

async function signedIn(user) {
  await adopt(user);
  await enter();
}

/** Signed in: an invitation being accepted, else the projects and the address's page. */
async function enter({ projectId } = {}) {
  drawAccount();
  if (pendingInvitation()) {
    await showInvitation(pendingInvitation());
    return;
  }
  try {
    await loadProjects();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) { sessionEnded(); return; }
    loadingFailed(`Could not load your projects. ${describe(error)}`);
    return;
  }
  await route({ projectId });
}

// ---- e-mail links -------------------------------------------------------------------------

async function handleLink({ link, token }) {
  // The token must not stay in the address bar, the history or a bookmark.
  setHash('');
  if (link === 'invite') {
    await showInvitation(token);
  } else if (link === 'reset') {
    show('auth');
    showReset(token);
  } else if (link === 'verify') {
    show('loading');
    $('loading').textContent = 'Verifying your address…';
    let text = '';
    try {
      await api('POST', '/api/auth/verify', { token });
    } catch (error) {
      text = describe(error, {
        'invalid-token': 'This verification link is invalid, has expired or was already used. If you verified your address already, sign in; otherwise sign up again to get a new link.',
      });
    }
    if (state.me) {
      // A confirmed address restarts task e-mail that a bounce or complaint stopped.
      try { state.me = await api('GET', '/api/auth/me'); } catch { /* keep what we had */ }
      drawAccount();
      await enter();
      flash(text || 'Your address is verified.', { error: Boolean(text) });
    } else {
      show('auth');
      showSignIn(text, { notice: text ? '' : 'Your address is verified. Sign in to continue.' });
    }
  }
}

// ---- pages --------------------------------------------------------------------------------

async function selectProject(projectId, { loadTasks = true } = {}) {
  if (state.projectId !== projectId) {
    state.projectId = projectId;
    state.members = [];
    boardFor = null;
  }
  rememberProject(projectId);
  drawSwitcher();
  drawChrome();
  if (!loadTasks || boardFor === projectId) return;
  boardFor = projectId;
  clearBoard();
  await Promise.all([loadBoard(), refreshMembers()]);
}

async function refreshMembers() {
  try {
    await loadMembers();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) sessionEnded();
    else message(`Could not load the project’s members. ${describe(error)}`);
  }
}

async function projectGone() {
  try {
    await loadProjects();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) { sessionEnded(); return; }
  }
  boardFor = null;
  state.projectId = null;
  setHash('');
  await route();
  flash(GONE, { error: true });
}

async function routeTask(id, seq) {
  let loaded;
  try {
    loaded = await request('GET', `/api/tasks/${id}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) { sessionEnded(); return; }
    setHash('');
    await route();
    flash(describe(error, { 404: 'This task does not exist, or you are not a member of its project.' }), { error: true });
    return;
  }
  if (seq !== routeSeq) return;
  const projectId = loaded.data.project_id;
  if (projectId && !state.projects.some((p) => p.id === projectId)) {
    await loadProjects().catch(() => {}); // joined since the page opened
  }
  show('board');
  await selectProject(pickProject(projectId, state.projectId, rememberedProject()));
  if (seq !== routeSeq) return;
  upsertTask(loaded.data); // a task from a link may be newer than the board's pages
  await openTask(id, loaded);
}

async function route({ projectId } = {}) {
  if (!state.me) return;
  const seq = ++routeSeq;
  const r = parseHash();
  if (r.link) { await handleLink(r); return; }
  if (r.task) { await routeTask(r.task, seq); return; }
  if ($('task-dialog').open) $('task-dialog').close();
  if (r.view === 'people' && state.me.is_admin) {
    setHash(hashFor(null, 'people'));
    await showPeople();
    return;
  }
  if (state.projects.length === 0) {
    state.projectId = null;
    setHash('');
    show('welcome');
    $('welcome-name').focus();
    return;
  }
  const id = pickProject(projectId, r.project, state.projectId, rememberedProject());
  const settings = r.view === 'settings';
  setHash(hashFor(id, settings ? 'settings' : null));
  if (r.project && r.project !== id && !projectId) flash(GONE, { error: true });
  if (settings) {
    await selectProject(id, { loadTasks: false });
    if (seq === routeSeq) await showSettings();
    return;
  }
  show('board');
  await selectProject(id);
}

function setFilter(filter) {
  state.filter = filter;
  loadBoard();
}

// ---- start --------------------------------------------------------------------------------

async function start() {
  setUpFlash();
  setUpAuth(signedIn);
  setUpBoard({
    onOpen: (id) => { location.hash = `#/tasks/${id}`; },
    onSignedOut: sessionEnded,
    onProjectGone: projectGone,
  });
  setUpTaskDialog({
    onSaved: (task, how) => {
      announce(how === 'created' ? `Created “${task.title}”.` : `Saved “${task.title}”.`);
      upsertTask(task);
    },
    onDeleted: (task) => {
      announce(`Deleted “${task.title}”.`);
      removeTask(task.id);
    },
    onClosed: () => {
      if (parseHash().task) setHash(hashFor(state.projectId));
    },
    onMissing: (text) => {
      setHash(hashFor(state.projectId));
      message(text);
      loadBoard({ keep: true });
    },
    onProject: (projectId) => selectProject(projectId),
    refreshMembers: () => loadMembers(),
  });
  setUpProjects({
    open: (id) => go(hashFor(id, view === 'settings' ? 'settings' : null)),
    created: (project) => {
      flash(`Created “${project.name}”. Invite people to it from its settings.`);
      go(hashFor(project.id));
    },
  });
  setUpSettings({
    show,
    back: () => go(hashFor(state.projectId)),
    changed: () => { drawSwitcher(); drawChrome(); draw(); },
    left: async (project) => {
      dropProject(project.id);
      if (rememberedProject() === project.id) rememberProject(null);
      state.projectId = null;
      boardFor = null;
      flash(`You left “${project.name}”.`);
      go('');
    },
    signedOut: sessionEnded,
    gone: projectGone,
  });
  setUpPeople({
    show,
    back: () => go(hashFor(state.projectId)),
    signedOut: sessionEnded,
  });
  setUpAccount({
    signOut,
    signedOut: sessionEnded,
    people: () => go('#view=people'),
    passwordChanged: () => flash('Your password is changed. Your other sessions (other browsers and devices) were signed out.'),
  });
  setUpInvite({
    show,
    joined: async (project, user) => {
      if (user) await adopt(user);
      try {
        await loadProjects();
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) { sessionEnded(); return; }
      }
      setHash(project ? hashFor(project.id) : '');
      await route({ projectId: project?.id });
      flash(project ? `You joined “${project.name}”.` : 'Welcome to Taskboard.');
    },
    signIn: (email, notice) => { show('auth'); showSignIn('', { notice, email }); },
    forgot: (email) => { show('auth'); showForgot(email); },
    signOut: async () => {
      if (await logout(false)) forget();
    },
    home: () => {
      if (state.me) enter();
      else signedOut();
    },
  });

  $('new-task').addEventListener('click', newTask);
  $('open-settings').addEventListener('click', () => go(hashFor(state.projectId, 'settings')));
  $('board-retry').addEventListener('click', () => { message(''); loadBoard(); });
  for (const button of document.querySelectorAll('.filter')) {
    button.addEventListener('click', () => setFilter(button.dataset.filter));
  }
  window.addEventListener('hashchange', () => {
    const r = parseHash();
    if (r.link) handleLink(r);
    else if (location.hash === '#board') setHash(hashFor(state.projectId)); // the skip link
    else route();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.me && view === 'board' && !$('task-dialog').open) {
      loadBoard({ keep: true });
    }
  });

  show('loading');
  const first = parseHash();
  if (first.link) setHash('');
  try {
    state.me = await api('GET', '/api/auth/me');
  } catch (error) {
    state.me = null;
    if (!(error instanceof ApiError && error.status === 401) && !first.link) {
      signedOut(describe(error));
      return;
    }
  }
  if (first.link) await handleLink(first);
  else if (state.me) await enter();
  else signedOut();
}

start();
