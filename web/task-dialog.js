// Create, open, edit, reassign and delete a task, with its history. A 412 from the API means
// someone else changed the task first: say so and offer their version.
import { request, ApiError, describe } from './api.js';
import { describeChange, when } from './format.js';
import { mayEdit } from './board.js';

const $ = (id) => document.getElementById(id);
const FIELDS = ['title', 'description', 'status', 'assignee_id', 'due_date'];
const INPUTS = { title: 'task-title', description: 'task-description', status: 'task-status', assignee_id: 'task-assignee', due_date: 'task-due' };

let ctx = null; // { me, users, onSaved, onDeleted, onClosed }
let current = null; // { task, etag } when editing; null when creating

function clearErrors() {
  for (const f of FIELDS) {
    const e = $(`task-${f}-error`);
    if (e) e.textContent = '';
    $(INPUTS[f]).removeAttribute('aria-invalid');
  }
  $('task-error').textContent = '';
  $('task-conflict').hidden = true;
}

function fillAssignees(selected) {
  const select = $('task-assignee');
  const none = new Option('Nobody', '');
  const people = ctx.users.map((u) => new Option(u.id === ctx.me.id ? `${u.name} (me)` : u.name, u.id));
  select.replaceChildren(none, ...people);
  select.value = selected || '';
}

function formValues() {
  return {
    title: $('task-title').value,
    description: $('task-description').value,
    status: $('task-status').value,
    assignee_id: $('task-assignee').value || null,
    due_date: $('task-due').value || null,
  };
}

function taskValues(task) {
  return {
    title: task.title,
    description: task.description || '',
    status: task.status,
    assignee_id: task.assignee?.id || null,
    due_date: task.due_date || null,
  };
}

function fill(task) {
  const v = task ? taskValues(task) : { title: '', description: '', status: 'todo', assignee_id: null, due_date: null };
  $('task-title').value = v.title;
  $('task-description').value = v.description;
  $('task-status').value = v.status;
  fillAssignees(v.assignee_id);
  $('task-due').value = v.due_date || '';
  const editable = !task || mayEdit(task, ctx.me);
  for (const id of Object.values(INPUTS)) $(id).disabled = !editable;
  $('task-readonly').hidden = editable;
  $('task-save').hidden = !editable;
  $('task-delete').hidden = !task || task.created_by.id !== ctx.me.id;
  $('task-dialog-title').textContent = task ? (editable ? 'Edit task' : 'Task') : 'New task';
  $('task-save').textContent = task ? 'Save changes' : 'Create task';
  $('task-cancel').textContent = editable ? 'Cancel' : 'Close';
}

async function loadHistory(id) {
  const section = $('task-history');
  section.hidden = false;
  $('history-state').textContent = 'Loading history…';
  $('history-list').replaceChildren();
  try {
    const { data } = await request('GET', `/api/tasks/${id}/history`);
    if (current?.task.id !== id) return;
    $('history-state').textContent = data.items.length ? '' : 'No changes recorded yet.';
    for (const entry of data.items) {
      for (const sentence of describeChange(entry)) {
        const li = document.createElement('li');
        const text = document.createElement('span');
        text.textContent = sentence;
        const time = document.createElement('time');
        time.dateTime = entry.occurred_at;
        time.textContent = when(entry.occurred_at);
        li.append(text, ' ', time);
        $('history-list').append(li);
      }
    }
  } catch (error) {
    $('history-state').textContent = `History is not available right now. ${describe(error)}`;
  }
}

function showFieldErrors(error) {
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  let focused = false;
  for (const [field, message] of Object.entries(fields)) {
    const target = $(`task-${field}-error`);
    if (!target) continue;
    target.textContent = message;
    $(INPUTS[field]).setAttribute('aria-invalid', 'true');
    if (!focused) { $(INPUTS[field]).focus(); focused = true; }
  }
  if (!focused) $('task-error').textContent = describe(error);
}

function showConflict() {
  $('task-conflict').hidden = false;
  $('task-reload').focus();
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  const values = formValues();
  $('task-save').disabled = true;
  try {
    if (!current) {
      const body = { title: values.title, status: values.status };
      if (values.description.trim()) body.description = values.description;
      if (values.assignee_id) body.assignee_id = values.assignee_id;
      if (values.due_date) body.due_date = values.due_date;
      const { data } = await request('POST', '/api/tasks', { body });
      close();
      ctx.onSaved(data, 'created');
      return;
    }
    const before = taskValues(current.task);
    const patch = {};
    for (const f of FIELDS) {
      if ((values[f] ?? null) !== (before[f] ?? null)) patch[f] = f === 'description' && !values[f] ? null : values[f];
    }
    if (Object.keys(patch).length === 0) { close(); return; }
    const { data } = await request('PATCH', `/api/tasks/${current.task.id}`, { body: patch, ifMatch: current.etag });
    close();
    ctx.onSaved(data, 'updated');
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) showConflict();
    else showFieldErrors(error);
  } finally {
    $('task-save').disabled = false;
  }
}

async function reloadTask() {
  if (!current) return;
  await openTask(current.task.id);
  $('task-title').focus();
}

function confirmDelete() {
  return new Promise((resolve) => {
    const dialog = $('confirm-dialog');
    $('confirm-text').textContent = `“${current.task.title}” and its place on the board will be gone. Its history is kept.`;
    const done = (answer) => {
      $('confirm-ok').onclick = null;
      $('confirm-cancel').onclick = null;
      dialog.close();
      resolve(answer);
    };
    $('confirm-ok').onclick = () => done(true);
    $('confirm-cancel').onclick = () => done(false);
    dialog.oncancel = () => resolve(false);
    dialog.showModal();
    $('confirm-cancel').focus();
  });
}

async function remove() {
  if (!current || !(await confirmDelete())) return;
  try {
    await request('DELETE', `/api/tasks/${current.task.id}`, { ifMatch: current.etag });
    const { task } = current;
    close();
    ctx.onDeleted(task);
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) showConflict();
    else $('task-error').textContent = describe(error);
  }
}

function close() {
  const dialog = $('task-dialog');
  if (dialog.open) dialog.close();
}

export function setUpTaskDialog(context) {
  ctx = context;
  $('task-form').addEventListener('submit', save);
  $('task-cancel').addEventListener('click', close);
  $('task-close').addEventListener('click', close);
  $('task-reload').addEventListener('click', reloadTask);
  $('task-delete').addEventListener('click', remove);
  $('task-dialog').addEventListener('close', () => {
    current = null;
    ctx.onClosed();
  });
}

export function setPeople(me, users) {
  ctx.me = me;
  ctx.users = users;
}

export function newTask() {
  current = null;
  clearErrors();
  fill(null);
  $('task-history').hidden = true;
  $('task-dialog').showModal();
  $('task-title').focus();
}

export async function openTask(id) {
  clearErrors();
  try {
    const { data, etag } = await request('GET', `/api/tasks/${id}`);
    current = { task: data, etag };
    fill(data);
    if (!$('task-dialog').open) $('task-dialog').showModal();
    $('task-title').focus();
    loadHistory(id);
  } catch (error) {
    ctx.onMissing(describe(error));
  }
}
