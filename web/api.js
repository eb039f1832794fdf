// The site's only way to talk to the API: same origin, session cookie, CSRF header on writes.
// Every failure becomes an ApiError carrying the server's problem+json.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.title || `Request failed (${status})`);
    this.status = status;
    this.problem = problem || {};
  }

  get type() {
    return (this.problem.type || '').replace('urn:taskboard:problem:', '');
  }

  fieldErrors() {
    return Object.fromEntries((this.problem.errors || []).map((e) => [e.field, e.message]));
  }
}

/** Call the API; resolves to `{ data, etag }`. */
export async function request(method, path, { body, ifMatch } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Requested-With'] = 'taskboard';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch) headers['If-Match'] = ifMatch;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { title: 'Cannot reach Taskboard. Check your connection and try again.' });
  }
  const etag = response.headers.get('ETag');
  if (response.status === 204) return { data: null, etag };
  const isJson = /json/.test(response.headers.get('Content-Type') || '');
  const data = isJson ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, etag };
}

/** Call the API; resolves to the response body. */
export async function api(method, path, body) {
  return (await request(method, path, { body })).data;
}

/** Every task matching `query`, following the cursor through all pages. */
export async function allTasks(query) {
  const tasks = [];
  let cursor = null;
  for (let page = 0; page < 50; page += 1) {
    const params = new URLSearchParams(query);
    params.set('limit', '100');
    if (cursor) params.set('cursor', cursor);
    const { items, next_cursor: next } = await api('GET', `/api/tasks?${params}`);
    tasks.push(...items);
    if (!next) break;
    cursor = next;
  }
  return tasks;
}

/** Words a person understands for any failure. */
export function describe(error) {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (error.type) {
    case 'invalid-credentials':
      return 'That e-mail address and password do not match. Check them and try again.';
    case 'email-taken':
      return 'An account with this e-mail address already exists. Sign in instead.';
    case 'signup-closed':
      return 'Sign-up is closed for this team. Ask an administrator to create your account.';
    case 'csrf':
      return 'The request was blocked for your safety. Reload the page and try again.';
    case 'unauthenticated':
      return 'Your session has ended. Sign in again.';
    case 'forbidden':
      return 'Only the task’s creator or assignee can change it, and only its creator can delete it.';
    case 'not-found':
      return 'This task no longer exists. Someone may have deleted it.';
    case 'too-many-requests': {
      const minutes = Math.max(1, Math.ceil((Number(error.problem.retry_after) || 60) / 60));
      return `Too many failed attempts. Wait about ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`;
    }
    default:
      if (error.status === 0) return error.message;
      if (error.status >= 500) return 'Taskboard had a problem on its side. Please try again in a moment.';
      return error.problem.detail || error.message;
  }
}
