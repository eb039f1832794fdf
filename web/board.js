// The board of the current project: three columns, each loading one page of tasks at a time
// ("Show more" follows the column's cursor), cards moved by drag and drop or by each card's
// "Move to" menu. Changes made here are applied to the loaded pages, not by reloading them.
import { taskPage, request, ApiError, describe } from './api.js';
import { $, el } from './dom.js';
import { STATUSES, dueLabel, isOverdue, statusLabel } from './format.js';
import { state, currentProject } from './state.js';
import { announce } from './ui.js';

const PAGE = 50;
const QUERIES = { all: {}, assigned: { assignee: 'me' }, created: { created_by: 'me' } };

const empty = () => ({ items: [], next: null, loading: false, error: '' });
const columns = Object.fromEntries(STATUSES.map(([status]) => [status, empty()]));
let generation = 0; // bumped by every full load, so a late answer for another project is dropped
let hooks = { onOpen: () => {}, onSignedOut: () => {}, onProjectGone: () => {} };

function projectOf(task) {
  return state.projects.find((p) => p.id === task.project_id) || currentProject();
}

/** Who may change a task: nobody in an archived project; else its creator, its assignee, an owner. */
export function mayEdit(task, me = state.me, project = projectOf(task)) {
  if (!me || project?.archived) return false;
  if (project?.role === 'owner') return true;
  return task.created_by.id === me.id || task.assignee?.id === me.id;
}

/** Who may delete a task: its creator or a project owner (not in an archived project). */
export function mayDelete(task, me = state.me, project = projectOf(task)) {
  if (!me || project?.archived) return false;
  return project?.role === 'owner' || task.created_by.id === me.id;
}

function matchesFilter(task) {
  if (state.filter === 'assigned') return task.assignee?.id === state.me.id;
  if (state.filter === 'created') return task.created_by.id === state.me.id;
  return true;
}

// Task ids are UUIDv7: newest first is descending id order, as the API lists them.
const newestFirst = (a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export function message(text) {
  $('board-message-text').textContent = text;
  $('board-message').hidden = !text;
}

function find(id) {
  for (const col of Object.values(columns)) {
    const task = col.items.find((t) => t.id === id);
    if (task) return task;
  }
  return null;
}

/** Put a created or changed task where it now belongs (or take it off if it no longer matches). */
export function upsertTask(task) {
  for (const col of Object.values(columns)) col.items = col.items.filter((t) => t.id !== task.id);
  if ((!task.project_id || task.project_id === state.projectId) && matchesFilter(task) && columns[task.status]) {
    columns[task.status].items.push(task);
    columns[task.status].items.sort(newestFirst);
  }
  draw();
}

export function removeTask(id) {
  for (const col of Object.values(columns)) col.items = col.items.filter((t) => t.id !== id);
  draw();
}

export function clearBoard() {
  generation += 1;
  for (const [status] of STATUSES) columns[status] = empty();
  message('');
}

function card(task) {
  const editable = mayEdit(task);
  const li = el('li', { class: 'card', 'data-id': task.id, draggable: editable });
  const open = el('button', { type: 'button', class: 'card-title', text: task.title, onclick: () => hooks.onOpen(task.id) });
  const meta = el('p', { class: 'card-meta' },
    el('span', { class: 'card-assignee', text: task.assignee ? task.assignee.name : 'Unassigned' }));
  if (task.due_date) {
    const overdue = isOverdue(task);
    meta.append(el('span', { class: overdue ? 'card-due overdue' : 'card-due', text: `${overdue ? 'Overdue' : 'Due'} ${dueLabel(task.due_date)}` }));
  }
  li.append(open, meta);

  if (editable) {
    const id = `move-${task.id}`;
    const select = el('select', { id, class: 'move', 'aria-label': `Move “${task.title}” to` },
      ...STATUSES.map(([value, text]) => el('option', { value, text, selected: value === task.status })));
    select.addEventListener('change', () => move(task.id, select.value));
    li.append(el('div', { class: 'card-move' }, el('label', { for: id, text: 'Move to' }), select));
    li.addEventListener('dragstart', (event) => {
      event.dataTransfer.setData('text/plain', task.id);
      event.dataTransfer.effectAllowed = 'move';
      li.classList.add('dragging');
    });
    li.addEventListener('dragend', () => li.classList.remove('dragging'));
  }
  return li;
}

function drawColumn(status) {
  const col = columns[status];
  const list = document.querySelector(`.cards[data-status="${status}"]`);
  list.replaceChildren(...col.items.map(card));
  if (col.items.length === 0) list.append(el('li', { class: 'empty', text: 'Nothing here' }));
  document.querySelector(`[data-count="${status}"]`).textContent = `(${col.items.length}${col.next ? '+' : ''})`;
  document.querySelector(`[data-error="${status}"]`).textContent = col.error;
  const more = document.querySelector(`[data-more="${status}"]`);
  more.hidden = !col.next;
  more.disabled = col.loading;
}

/** Redraw every column, keeping keyboard focus on the card (and control) it was on. */
export function draw() {
  const focusedId = document.activeElement?.closest?.('.card')?.dataset.id;
  const focusedClass = (document.activeElement?.className || '').split(' ')[0];
  for (const [status] of STATUSES) drawColumn(status);
  if (focusedId && focusedClass) {
    document.querySelector(`.card[data-id="${focusedId}"] .${focusedClass}`)?.focus();
  }
  const project = currentProject();
  const loaded = STATUSES.some(([s]) => columns[s].items.length);
  const failed = STATUSES.some(([s]) => columns[s].error);
  let text = '';
  if (!loaded && !failed) {
    if (project?.archived) text = 'This archived project has no tasks here.';
    else if (state.filter === 'all') text = 'No tasks here yet. Create one with “New task”.';
    else text = 'No tasks here yet for this filter. Show “All tasks”, or create one with “New task”.';
  }
  $('board-state').textContent = text;
}

/** The toolbar and notes that depend on the project: its name, archived or not, my role. */
export function drawChrome() {
  const project = currentProject();
  if (!project) return;
  $('board-title').textContent = `${project.name}: board`;
  $('new-task').hidden = project.archived;
  $('archived-note').hidden = !project.archived;
  $('archived-owner-hint').hidden = project.role !== 'owner';
  $('open-settings').textContent = project.role === 'owner' ? 'Project settings' : 'Members';
  for (const button of document.querySelectorAll('.filter')) {
    button.setAttribute('aria-pressed', String(button.dataset.filter === state.filter));
  }
}

function query(status, cursor) {
  return { project: state.projectId, status, ...QUERIES[state.filter], cursor };
}

function failedWith(error) {
  if (error instanceof ApiError && error.status === 401) {
    hooks.onSignedOut();
    return true;
  }
  if (error instanceof ApiError && error.status === 404) {
    hooks.onProjectGone();
    return true;
  }
  return false;
}

/**
 * Load the first page of each column (three requests, in parallel). With `keep`, as many tasks
 * as are shown now (up to 100 a column), so a refresh does not fold what "Show more" opened.
 */
export async function loadBoard({ keep = false } = {}) {
  const mine = ++generation;
  drawChrome();
  if (!keep) {
    for (const [status] of STATUSES) columns[status] = empty();
    draw();
    $('board-state').textContent = 'Loading tasks…';
  }
  $('columns').setAttribute('aria-busy', 'true');
  const results = await Promise.allSettled(STATUSES.map(([status]) => {
    const limit = keep ? Math.min(100, Math.max(PAGE, columns[status].items.length)) : PAGE;
    return taskPage(query(status), limit);
  }));
  if (mine !== generation) return;
  $('columns').removeAttribute('aria-busy');
  const failure = results.find((r) => r.status === 'rejected');
  if (failure && failedWith(failure.reason)) return;
  results.forEach((result, i) => {
    const [status] = STATUSES[i];
    columns[status] = result.status === 'fulfilled'
      ? { items: result.value.items, next: result.value.next, loading: false, error: '' }
      : { ...empty(), error: `Could not load this column. ${describe(result.reason)}` };
  });
  message(failure ? `Could not load all the tasks. ${describe(failure.reason)}` : '');
  draw();
}

async function showMore(status) {
  const col = columns[status];
  if (!col.next || col.loading) return;
  const mine = generation;
  col.loading = true;
  drawColumn(status);
  try {
    const page = await taskPage(query(status, col.next));
    if (mine !== generation) return;
    const known = new Set(col.items.map((t) => t.id));
    const fresh = page.items.filter((t) => !known.has(t.id));
    col.items = [...col.items, ...fresh].sort(newestFirst);
    col.next = page.next;
    col.error = '';
    col.loading = false;
    drawColumn(status);
    announce(`Showing ${col.items.length} tasks in ${statusLabel(status)}.`);
    // Keyboard users continue at the first card that just appeared.
    const first = fresh[0] && document.querySelector(`.card[data-id="${fresh[0].id}"] .card-title`);
    if (first) first.focus();
  } catch (error) {
    if (mine !== generation) return;
    col.loading = false;
    if (failedWith(error)) return;
    col.error = `Could not load more tasks. ${describe(error)}`;
    drawColumn(status);
  }
}

async function move(id, status) {
  const task = find(id);
  if (!task || task.status === status) return;
  try {
    const { data } = await request('PATCH', `/api/tasks/${id}`, { body: { status }, ifMatch: `"${task.version}"` });
    upsertTask(data);
    announce(`Moved “${data.title}” to ${statusLabel(status)}.`);
  } catch (error) {
    draw(); // put the card back where the server says it is
    if (error instanceof ApiError && error.status === 412) {
      message('This task was changed by someone else meanwhile, so it was not moved. It now shows their version.');
      try {
        upsertTask((await request('GET', `/api/tasks/${id}`)).data);
      } catch {
        // The next reload shows it.
      }
    } else if (error instanceof ApiError && error.status === 401) {
      hooks.onSignedOut();
    } else {
      message(`Could not move the task. ${describe(error, {
        forbidden: 'Only the task’s creator, its assignee or a project owner can move it.',
        404: 'This task no longer exists. Someone may have deleted it.',
      })}`);
    }
  }
}

/** Wire the columns (drops, "Show more") once. */
export function setUpBoard(handlers) {
  hooks = handlers;
  for (const list of document.querySelectorAll('.cards')) {
    list.addEventListener('dragover', (event) => {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
      list.classList.add('drop-target');
    });
    list.addEventListener('dragleave', () => list.classList.remove('drop-target'));
    list.addEventListener('drop', (event) => {
      event.preventDefault();
      list.classList.remove('drop-target');
      const id = event.dataTransfer.getData('text/plain');
      if (id) move(id, list.dataset.status);
    });
  }
  for (const button of document.querySelectorAll('.more')) {
    button.addEventListener('click', () => showMore(button.dataset.more));
  }
}
