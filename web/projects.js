// My projects: the switcher in the header, "New project" (a dialog, or the form on the page a
// person with no project sees), and the current project's members.
import { api, projectPath } from './api.js';
import { $, el, clearErrors, showError, busy } from './dom.js';
import { state, currentProject } from './state.js';

let hooks = null; // { open(projectId), created(project) }

export async function loadProjects() {
  state.projects = (await api('GET', '/api/projects')).items;
  drawSwitcher();
}

/** The current project's members (for the assignee picker and the settings page). */
export async function loadMembers(projectId = state.projectId) {
  const { items } = await api('GET', projectPath(projectId, 'members'));
  if (projectId === state.projectId) state.members = items;
  return items;
}

/** Replace one project in the list after a change (rename, archive, my role). */
export function updateProject(project) {
  const i = state.projects.findIndex((p) => p.id === project.id);
  if (i >= 0) state.projects[i] = { ...state.projects[i], ...project };
  else state.projects.push(project);
  state.projects.sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
  drawSwitcher();
}

export function dropProject(id) {
  state.projects = state.projects.filter((p) => p.id !== id);
  drawSwitcher();
}

/** The project to open: the one asked for, else the remembered one, else the first active one. */
export function pickProject(...wanted) {
  for (const id of wanted) {
    if (id && state.projects.some((p) => p.id === id)) return id;
  }
  return (state.projects.find((p) => !p.archived) || state.projects[0])?.id || null;
}

export function drawSwitcher() {
  const select = $('project-select');
  const active = state.projects.filter((p) => !p.archived);
  const archived = state.projects.filter((p) => p.archived);
  const option = (p) => el('option', { value: p.id, text: p.name });
  const children = active.map(option);
  if (archived.length) children.push(el('optgroup', { label: 'Archived' }, ...archived.map(option)));
  select.replaceChildren(...children);
  select.value = state.projectId || '';
  const project = currentProject();
  select.title = project ? project.name : '';
}

async function create(name, { nameInput, formError }) {
  try {
    const project = await api('POST', '/api/projects', { name });
    updateProject(project);
    return project;
  } catch (error) {
    showError(error, { fields: { name: nameInput }, formError });
    return null;
  }
}

function openDialog() {
  clearErrors($('project-form'));
  $('project-name').value = '';
  $('project-dialog').showModal();
  $('project-name').focus();
}

export function setUpProjects(handlers) {
  hooks = handlers;
  $('project-select').addEventListener('change', () => hooks.open($('project-select').value));
  $('new-project').addEventListener('click', openDialog);
  const close = () => $('project-dialog').close();
  $('project-cancel').addEventListener('click', close);
  $('project-close').addEventListener('click', close);
  $('project-dialog').addEventListener('close', () => {
    // Back to where the person was, with the switcher showing the current project.
    $('project-select').value = state.projectId || '';
  });
  $('project-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors($('project-form'));
    return busy($('project-create'), async () => {
      const project = await create($('project-name').value, { nameInput: 'project-name', formError: 'project-error' });
      if (!project) return;
      close();
      hooks.created(project);
    });
  });
  $('welcome-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors($('welcome-form'));
    return busy($('welcome-create'), async () => {
      const project = await create($('welcome-name').value, { nameInput: 'welcome-name', formError: 'welcome-error' });
      if (!project) return;
      $('welcome-name').value = '';
      hooks.created(project);
    });
  });
}
