// Taskboard's site: who is signed in, the board, and the task dialog. All user text is set with
// textContent, never as HTML. `#/tasks/<id>` opens a task (the links in e-mail point there).
import { api, allTasks, request, ApiError, describe } from './api.js';
import { setUpAuth, showSignIn } from './auth.js';
import { renderBoard } from './board.js';
import { statusLabel } from './format.js';
import { setUpTaskDialog, setPeople, newTask, openTask } from './task-dialog.js';

const $ = (id) => document.getElementById(id);
const state = { me: null, users: [], tasks: [], filter: 'all' };
const QUERIES = { all: {}, assigned: { assignee: 'me' }, created: { created_by: 'me' } };

function show(view) {
  $('loading').hidden = view !== 'loading';
  $('auth').hidden = view !== 'auth';
  $('board').hidden = view !== 'board';
  $('account').hidden = view !== 'board';
}

function announce(text) {
  $('announcer').textContent = text;
}

function message(text) {
  $('board-message-text').textContent = text;
  $('board-message').hidden = !text;
}

const handlers = {
  onOpen: (id) => { location.hash = `#/tasks/${id}`; },
  onMove: move,
};

function draw() {
  renderBoard(state.tasks, state.me, handlers);
}

async function loadBoard() {
  $('board-state').textContent = 'Loading tasks…';
  $('columns').setAttribute('aria-busy', 'true');
  try {
    state.tasks = await allTasks(QUERIES[state.filter]);
    message('');
    draw();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signedOut('Your session has ended. Sign in again.');
    $('board-state').textContent = '';
    message(`Could not load the tasks. ${describe(error)}`);
  } finally {
    $('columns').removeAttribute('aria-busy');
  }
}

async function move(id, status) {
  const task = state.tasks.find((t) => t.id === id);
  if (!task || task.status === status) return;
  try {
    const { data } = await request('PATCH', `/api/tasks/${id}`, { body: { status }, ifMatch: `"${task.version}"` });
    Object.assign(task, data);
    draw();
    announce(`Moved “${data.title}” to ${statusLabel(status)}.`);
  } catch (error) {
    draw(); // put the card back where the server says it is
    if (error instanceof ApiError && error.status === 412) {
      message('This task was changed by someone else meanwhile, so it was not moved.');
    } else {
      message(`Could not move the task. ${describe(error)}`);
    }
  }
}

async function route() {
  const match = location.hash.match(/^#\/tasks\/([0-9a-f-]{36})$/);
  if (match && state.me) await openTask(match[1]);
}

async function signedIn(user) {
  state.me = user;
  $('whoami').textContent = `${user.name} (${user.email})`;
  show('board');
  try {
    state.users = (await api('GET', '/api/users')).items;
  } catch {
    state.users = [user];
  }
  setPeople(state.me, state.users);
  await loadBoard();
  await route();
}

function signedOut(text = '') {
  state.me = null;
  state.tasks = [];
  show('auth');
  showSignIn(text);
}

async function signOut(everywhere) {
  try {
    await api('POST', everywhere ? '/api/auth/logout-all' : '/api/auth/logout');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      message(describe(error));
      return;
    }
  }
  history.replaceState(null, '', location.pathname);
  signedOut();
}

function setFilter(filter) {
  state.filter = filter;
  for (const button of document.querySelectorAll('.filter')) {
    button.setAttribute('aria-pressed', String(button.dataset.filter === filter));
  }
  loadBoard();
}

async function start() {
  setUpAuth(signedIn);
  setUpTaskDialog({
    me: null,
    users: [],
    onSaved: (task, how) => {
      announce(how === 'created' ? `Created “${task.title}”.` : `Saved “${task.title}”.`);
      loadBoard();
    },
    onDeleted: (task) => {
      announce(`Deleted “${task.title}”.`);
      loadBoard();
    },
    onClosed: () => {
      if (location.hash) history.replaceState(null, '', location.pathname);
    },
    onMissing: (text) => {
      history.replaceState(null, '', location.pathname);
      message(text);
      loadBoard();
    },
  });
  $('sign-out').addEventListener('click', () => signOut(false));
  $('sign-out-all').addEventListener('click', () => signOut(true));
  $('new-task').addEventListener('click', newTask);
  $('board-retry').addEventListener('click', loadBoard);
  for (const button of document.querySelectorAll('.filter')) {
    button.addEventListener('click', () => setFilter(button.dataset.filter));
  }
  window.addEventListener('hashchange', route);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.me && !$('task-dialog').open) loadBoard();
  });

  show('loading');
  try {
    await signedIn(await api('GET', '/api/auth/me'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signedOut();
    else signedOut(describe(error));
  }
}

start();
