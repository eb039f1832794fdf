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

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Requested-With'] = 'taskboard';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { title: 'Cannot reach Taskboard. Check your connection and try again.' });
  }
  if (response.status === 204) return null;
  const isJson = /json/.test(response.headers.get('content-type') || '');
  const data = isJson ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
