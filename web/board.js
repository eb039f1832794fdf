// The board: three columns of cards, moved by drag and drop or by each card's "Move to" menu.
import { STATUSES, dueLabel, isOverdue } from './format.js';

const $ = (id) => document.getElementById(id);

/** Who may change a task: its creator or its assignee. */
export function mayEdit(task, me) {
  return task.created_by.id === me.id || task.assignee?.id === me.id;
}

function card(task, me, { onOpen, onMove }) {
  const li = document.createElement('li');
  li.className = 'card';
  li.dataset.id = task.id;
  const editable = mayEdit(task, me);
  li.draggable = editable;

  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'card-title';
  open.textContent = task.title;
  open.addEventListener('click', () => onOpen(task.id));

  const meta = document.createElement('p');
  meta.className = 'card-meta';
  const who = document.createElement('span');
  who.className = 'card-assignee';
  who.textContent = task.assignee ? task.assignee.name : 'Unassigned';
  meta.append(who);
  if (task.due_date) {
    const due = document.createElement('span');
    due.className = isOverdue(task) ? 'card-due overdue' : 'card-due';
    due.textContent = `${isOverdue(task) ? 'Overdue' : 'Due'} ${dueLabel(task.due_date)}`;
    meta.append(due);
  }
  li.append(open, meta);

  if (editable) {
    const id = `move-${task.id}`;
    const row = document.createElement('div');
    row.className = 'card-move';
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = 'Move to';
    const select = document.createElement('select');
    select.id = id;
    select.className = 'move';
    select.setAttribute('aria-label', `Move “${task.title}” to`);
    for (const [value, text] of STATUSES) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = text;
      option.selected = value === task.status;
      select.append(option);
    }
    select.addEventListener('change', () => onMove(task.id, select.value));
    row.append(label, select);
    li.append(row);

    li.addEventListener('dragstart', (event) => {
      event.dataTransfer.setData('text/plain', task.id);
      event.dataTransfer.effectAllowed = 'move';
      li.classList.add('dragging');
    });
    li.addEventListener('dragend', () => li.classList.remove('dragging'));
  }
  return li;
}

let dropWired = false;

/** Wire the columns as drop targets once. */
function wireDrops(onMove) {
  if (dropWired) return;
  dropWired = true;
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
      if (id) onMove(id, list.dataset.status);
    });
  }
}

/** Draw `tasks` into the columns. */
export function renderBoard(tasks, me, handlers) {
  wireDrops(handlers.onMove);
  const focusedId = document.activeElement?.closest?.('.card')?.dataset.id;
  const focusedClass = document.activeElement?.className;
  for (const [status] of STATUSES) {
    const list = document.querySelector(`.cards[data-status="${status}"]`);
    const mine = tasks.filter((t) => t.status === status);
    list.replaceChildren(...mine.map((t) => card(t, me, handlers)));
    if (mine.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'empty';
      empty.textContent = 'Nothing here';
      list.append(empty);
    }
    document.querySelector(`[data-count="${status}"]`).textContent = `(${mine.length})`;
  }
  // Keep keyboard users where they were after a redraw.
  if (focusedId) {
    const again = document.querySelector(`.card[data-id="${focusedId}"] .${(focusedClass || '').split(' ')[0]}`);
    again?.focus();
  }
  $('board-state').textContent = tasks.length === 0 ? 'No tasks here yet. Create one with “New task”.' : '';
}
