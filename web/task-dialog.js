// Create, open, edit, reassign and delete a task, with its history. A 412 from the API means
// someone else changed the task first: say so and offer their version. The assignee picker lists
// the members of the task's project.
import { request, ApiError, describe } from './api.js';
import { $, el } from './dom.js';
import { describeChange, when } from './format.js';
import { mayEdit, mayDelete } from './board.js';
import { confirmAction } from './confirm.js';
import { state, currentProject } from './state.js';

const FIELDS = ['title', 'description', 'status', 'assignee_id', 'due_date'];
const INPUTS = { title: 'task-title', description: 'task-description', status: 'task-status', assignee_id: 'task-assignee', due_date: 'task-due' };
const WORDS = {
  forbidden: 'Only the task’s creator, its assignee or a project owner can change it, and only its creator or a project owner can delete it.',
  404: 'This task no longer exists, or you are no longer a member of its project.',
};

let ctx = null; // { onSaved, onDeleted, onClosed, onMissing, onProject, refreshMembers }
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

/** Nobody, the project's active members, and whoever is assigned now even if no longer a member. */
function fillAssignees(selected, task = null) {
  const select = $('task-assignee');
  const options = [new Option('Nobody', '')];
  for (const m of state.members) {
    if (m.deactivated && m.id !== selected) continue;
    let label = m.id === state.me.id ? `${m.name} (me)` : m.name;
    if (m.deactivated) label += ' (deactivated)';
    options.push(new Option(label, m.id));
  }
  if (selected && !state.members.some((m) => m.id === selected)) {
    const name = task?.assignee?.id === selected ? task.assignee.name : 'Someone';
    options.push(new Option(`${name} (not a member)`, selected));
  }
  select.replaceChildren(...options);
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
  fillAssignees(v.assignee_id, task);
  $('task-due').value = v.due_date || '';
  const project = task ? state.projects.find((p) => p.id === task.project_id) || currentProject() : currentProject();
  const editable = !task || mayEdit(task, state.me, project);
  for (const id of Object.values(INPUTS)) $(id).disabled = !editable;
  $('task-readonly').textContent = project?.archived
    ? 'This project is archived: its tasks can be read but not changed.'
    : 'Only the task’s creator, its assignee or a project owner can change it.';
  $('task-readonly').hidden = editable;
  $('task-save').hidden = !editable;
  $('task-delete').hidden = !task || !mayDelete(task, state.me, project);
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
        $('history-list').append(el('li', {},
          el('span', { text: sentence }), ' ',
          el('time', { datetime: entry.occurred_at, text: when(entry.occurred_at) })));
      }
      if (entry.deliveries?.length) $('history-list').append(deliveryLine(entry.deliveries));
    }
  } catch (error) {
    $('history-state').textContent = `History is not available right now. ${describe(error)}`;
  }
}

const DELIVERY = {
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  bounced: 'bounced',
  complained: 'marked as spam',
  suppressed: 'their e-mail is stopped',
  failed: 'could not be sent',
  summarised: 'in their hourly summary',
};
const DELIVERY_TROUBLE = new Set(['bounced', 'complained', 'suppressed', 'failed']);

/** Who was e-mailed about a change, and how it went. */
function deliveryLine(deliveries) {
  const parts = [];
  for (const [i, d] of deliveries.entries()) {
    if (i) parts.push(', ');
    parts.push(el('span', {
      class: DELIVERY_TROUBLE.has(d.status) ? 'delivery trouble' : 'delivery',
      text: `${d.recipient.name} (${DELIVERY[d.status] ?? d.status})`,
    }));
  }
  return el('li', { class: 'deliveries muted' }, 'E-mailed: ', ...parts);
}

function showFieldErrors(error) {
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  let focused = false;
  const rest = [];
  for (const [field, message] of Object.entries(fields)) {
    const target = $(`task-${field}-error`);
    if (!target) { rest.push(message); continue; }
    target.textContent = message;
    $(INPUTS[field]).setAttribute('aria-invalid', 'true');
    if (!focused) { $(INPUTS[field]).focus(); focused = true; }
  }
  if (!focused) $('task-error').textContent = describe(error, WORDS);
  else if (rest.length) $('task-error').textContent = rest.join(' ');
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
      const body = { project_id: state.projectId, title: values.title, status: values.status };
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

async function remove() {
  if (!current) return;
  const ok = await confirmAction({
    title: 'Delete this task?',
    text: `“${current.task.title}” and its place on the board will be gone. Its history is kept.`,
    ok: 'Delete',
    cancel: 'Keep it',
  });
  if (!ok || !current) return;
  try {
    await request('DELETE', `/api/tasks/${current.task.id}`, { ifMatch: current.etag });
    const { task } = current;
    close();
    ctx.onDeleted(task);
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) showConflict();
    else $('task-error').textContent = describe(error, WORDS);
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

export function newTask() {
  if (!currentProject() || currentProject().archived) return;
  current = null;
  clearErrors();
  fill(null);
  $('task-history').hidden = true;
  $('task-dialog').showModal();
  $('task-title').focus();
  // Someone may have joined since the board opened: refresh the picker, keeping the choice.
  ctx.refreshMembers().then(() => {
    if (current === null && $('task-dialog').open) fillAssignees($('task-assignee').value || null);
  }, () => {});
}

/** Open a task (from a card, or a link); `loaded` is its `{ data, etag }` when already fetched. */
export async function openTask(id, loaded = null) {
  clearErrors();
  try {
    const { data, etag } = loaded || await request('GET', `/api/tasks/${id}`);
    if (data.project_id && data.project_id !== state.projectId) await ctx.onProject(data.project_id);
    current = { task: data, etag };
    fill(data);
    if (!$('task-dialog').open) $('task-dialog').showModal();
    $($('task-title').disabled ? 'task-cancel' : 'task-title').focus();
    loadHistory(id);
  } catch (error) {
    ctx.onMissing(describe(error, WORDS), error);
  }
}
