// What the page knows: who is signed in, their projects, the current project and its members.

export const state = {
  me: null, // { id, name, email, is_admin }
  projects: [], // [{ id, name, role, archived, created_at }]
  projectId: null,
  members: [], // the current project's: [{ id, name, email, role, deactivated }]
  filter: 'all',
};

export function currentProject() {
  return state.projects.find((p) => p.id === state.projectId) || null;
}

export function isOwner(project = currentProject()) {
  return project?.role === 'owner';
}

const key = () => `taskboard.project.${state.me?.id || ''}`;

/** The project last opened in this browser by this person. */
export function rememberedProject() {
  try {
    return localStorage.getItem(key());
  } catch {
    return null;
  }
}

export function rememberProject(id) {
  try {
    if (id) localStorage.setItem(key(), id);
    else localStorage.removeItem(key());
  } catch {
    // Private mode without storage: the URL still carries the project.
  }
}
