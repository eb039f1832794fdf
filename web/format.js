// How values read on screen. Everything here returns plain strings: callers set them as text.

export const STATUSES = [
  ['todo', 'To do'],
  ['in_progress', 'In progress'],
  ['done', 'Done'],
];

export function statusLabel(status) {
  return (STATUSES.find(([value]) => value === status) || [status, status])[1];
}

/** `2026-12-01` → "1 Dec 2026" in the reader's locale, computed without time-zone shifts. */
export function dueLabel(date) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(undefined, {
    day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
  });
}

export function isOverdue(task) {
  if (!task.due_date || task.status === 'done') return false;
  const today = new Date();
  const local = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  return task.due_date < local;
}

export function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** An instant as a day: "3 Dec 2026". */
export function day(iso) {
  return new Date(iso).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

export function roleLabel(role) {
  return role === 'owner' ? 'Owner' : 'Member';
}

function show(field, value) {
  if (value === null || value === undefined || value === '') return 'nothing';
  if (field === 'status') return statusLabel(value);
  if (field === 'assignee') return value.name;
  if (field === 'due_date') return dueLabel(value);
  return `“${value}”`;
}

/** One history entry as sentences: "Bob moved it from To do to In progress". */
export function describeChange(entry) {
  const name = entry.actor?.name || 'Someone';
  const actor = entry.actor?.deactivated ? `${name} (deactivated)` : name;
  const changes = Object.entries(entry.changes || {});
  if (entry.type === 'Task Created') return [`${actor} created the task`];
  if (entry.type === 'Task Deleted') return [`${actor} deleted the task`];
  return changes.map(([field, { from, to }]) => {
    switch (field) {
      case 'status':
        return `${actor} moved it from ${show(field, from)} to ${show(field, to)}`;
      case 'assignee':
        if (!to) return `${actor} unassigned it (was ${show(field, from)})`;
        return from ? `${actor} reassigned it from ${show(field, from)} to ${show(field, to)}` : `${actor} assigned it to ${show(field, to)}`;
      case 'description':
        return `${actor} ${to ? 'changed' : 'removed'} the description`;
      case 'due_date':
        return `${actor} changed the due date from ${show(field, from)} to ${show(field, to)}`;
      default:
        return `${actor} changed the ${field} from ${show(field, from)} to ${show(field, to)}`;
    }
  });
}
