// The site's only way to talk to the API: same origin, session cookie, CSRF header on writes.
// Every failure becomes an ApiError carrying the server's problem+json (and Retry-After).

export class ApiError extends Error {
  constructor(status, problem, retryAfter = null) {
    super(problem?.title || `Request failed (${status})`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = retryAfter;
  }

  /** The problem's slug: `urn:taskboard:problem:last-owner` → `last-owner`. */
  get type() {
    return (this.problem.type || '').replace('urn:taskboard:problem:', '');
  }

  /** `{ field: message }` from a 422's `errors`. */
  fieldErrors() {
    return Object.fromEntries((this.problem.errors || []).map((e) => [e.field, e.message]));
  }
}

/** Call the API; resolves to `{ data, etag, status }`. */
export async function request(method, path, { body, ifMatch } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Requested-With'] = 'fetch';
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
  const { status } = response;
  if (status === 204) return { data: null, etag, status };
  const isJson = /json/.test(response.headers.get('Content-Type') || '');
  const data = isJson ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(status, data, response.headers.get('Retry-After'));
  return { data, etag, status };
}

/** Call the API; resolves to the response body. */
export async function api(method, path, body) {
  return (await request(method, path, { body })).data;
}

/** One page of tasks matching `query` (`project`, `status`, `assignee`, `created_by`, `cursor`). */
export async function taskPage(query, limit = 50) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  params.set('limit', String(limit));
  const { items, next_cursor: next } = await api('GET', `/api/tasks?${params}`);
  return { items, next: next || null };
}

/** `/api/projects/<id>/...` with every part escaped. */
export function projectPath(projectId, ...rest) {
  return ['/api/projects', projectId, ...rest].map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join('/');
}

function waitText(error) {
  const seconds = Number(error.retryAfter) || Number(error.problem.retry_after) || 60;
  if (seconds < 90) {
    const s = Math.max(1, Math.ceil(seconds));
    return `about ${s} second${s === 1 ? '' : 's'}`;
  }
  const minutes = Math.ceil(seconds / 60);
  return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** Field messages of a 422 as one sentence, for forms that have no place for a field. */
export function fieldSummary(error) {
  if (!(error instanceof ApiError)) return '';
  return (error.problem.errors || []).map((e) => e.message).filter(Boolean).join(' ');
}

/**
 * Words a person understands for any failure. `overrides` maps a problem slug (or a status
 * code) to the sentence this screen should say instead.
 */
export function describe(error, overrides = {}) {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (overrides[error.type]) return overrides[error.type];
  if (overrides[error.status]) return overrides[error.status];
  if (error.status === 0) return error.message;
  switch (error.type) {
    case 'invalid-credentials':
      return 'That e-mail address and password do not match. Check them and try again.';
    case 'email-unverified':
      return 'Verify your address first: check your mail for the link we sent you when you signed up.';
    case 'email-taken':
      return 'An account with this e-mail address already exists. Sign in instead.';
    case 'signup-closed':
      return 'Sign-up is by invitation only: ask a project owner to invite you.';
    case 'signup-domain':
      return error.problem.detail || 'Sign-up is open only to addresses of certain domains. Use your work address, or ask a project owner to invite you.';
    case 'invalid-token':
      return 'This link is invalid, has expired or was already used.';
    case 'invitation-other-account':
      return 'This invitation is for another e-mail address than the one you are signed in with.';
    case 'last-owner':
      return 'A project needs at least one owner. Make someone else an owner first.';
    case 'already-member':
      return 'This person is already a member of the project.';
    case 'csrf':
      return 'The request was blocked for your safety. Reload the page and try again.';
    case 'unauthenticated':
      return 'Your session has ended. Sign in again.';
    case 'too-many-requests':
      return `Too many requests in a short time. Wait ${waitText(error)} and try again.`;
    default:
      break;
  }
  if (error.status === 401) return 'Your session has ended. Sign in again.';
  if (error.status === 429) return `Too many requests in a short time. Wait ${waitText(error)} and try again.`;
  if (error.status >= 500) return 'Taskboard had a problem on its side. Please try again in a moment.';
  const detail = error.problem.detail || error.problem.title || error.message;
  const fields = fieldSummary(error);
  return fields && !detail.includes(fields) ? `${detail} ${fields}` : detail;
}
