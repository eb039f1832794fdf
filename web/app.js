// Sign-in, sign-up and the signed-in view. All user text is set with textContent, never HTML.
import { api, ApiError } from './api.js';

const $ = (id) => document.getElementById(id);
let mode = 'signin';

const MESSAGES = {
  'invalid-credentials': 'That e-mail address and password do not match. Check them and try again.',
  'email-taken': 'An account with this e-mail address already exists. Sign in instead.',
  'signup-closed': 'Sign-up is closed for this team. Ask an administrator to create your account.',
  'csrf': 'The request was blocked for your safety. Reload the page and try again.',
};

function describe(error) {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (error.type === 'too-many-requests') {
    const minutes = Math.max(1, Math.ceil((Number(error.problem.retry_after) || 60) / 60));
    return `Too many failed attempts. Wait a few minutes (about ${minutes}) and try again.`;
  }
  if (error.status >= 500) return 'Taskboard had a problem on its side. Please try again in a moment.';
  return MESSAGES[error.type] || error.problem.detail || error.message;
}

function show(section) {
  for (const id of ['loading', 'auth', 'home']) $(id).hidden = id !== section;
}

function setMode(next) {
  mode = next;
  const signup = mode === 'signup';
  $('auth-title').textContent = signup ? 'Create your account' : 'Sign in';
  $('submit').textContent = signup ? 'Create account' : 'Sign in';
  $('name-field').hidden = !signup;
  $('password-hint').hidden = !signup;
  $('password').autocomplete = signup ? 'new-password' : 'current-password';
  $('switch-text').textContent = signup ? 'Already have an account?' : 'New here?';
  $('switch-mode').textContent = signup ? 'Sign in' : 'Create an account';
  clearErrors();
}

function clearErrors() {
  for (const id of ['name-error', 'email-error', 'password-error', 'form-error']) $(id).textContent = '';
  for (const id of ['name', 'email', 'password']) $(id).removeAttribute('aria-invalid');
}

async function submit(event) {
  event.preventDefault();
  clearErrors();
  const body = { email: $('email').value, password: $('password').value };
  if (mode === 'signup') body.name = $('name').value;
  $('submit').disabled = true;
  try {
    const user = await api('POST', mode === 'signup' ? '/api/auth/signup' : '/api/auth/login', body);
    $('password').value = '';
    await signedIn(user);
  } catch (error) {
    const fields = error instanceof ApiError ? error.fieldErrors() : {};
    let focused = false;
    for (const [field, message] of Object.entries(fields)) {
      const input = $(field);
      if (!input) continue;
      $(`${field}-error`).textContent = message;
      input.setAttribute('aria-invalid', 'true');
      if (!focused) { input.focus(); focused = true; }
    }
    if (!focused) $('form-error').textContent = describe(error);
  } finally {
    $('submit').disabled = false;
  }
}

async function signedIn(user) {
  $('whoami').textContent = `${user.name} (${user.email})`;
  $('account').hidden = false;
  show('home');
  $('home-error').textContent = '';
  const team = $('team');
  team.replaceChildren();
  try {
    const { items } = await api('GET', '/api/users');
    for (const person of items) {
      const li = document.createElement('li');
      const name = document.createElement('strong');
      name.textContent = person.name;
      const email = document.createElement('span');
      email.className = 'muted';
      email.textContent = person.email;
      li.append(name, ' ', email);
      team.append(li);
    }
  } catch (error) {
    $('home-error').textContent = describe(error);
  }
}

function signedOut() {
  $('account').hidden = true;
  show('auth');
  setMode('signin');
  $('email').focus();
}

async function signOut(everywhere) {
  try {
    await api('POST', everywhere ? '/api/auth/logout-all' : '/api/auth/logout');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      $('home-error').textContent = describe(error);
      return;
    }
  }
  signedOut();
}

async function start() {
  $('auth-form').addEventListener('submit', submit);
  $('switch-mode').addEventListener('click', () => setMode(mode === 'signin' ? 'signup' : 'signin'));
  $('sign-out').addEventListener('click', () => signOut(false));
  $('sign-out-all').addEventListener('click', () => signOut(true));
  try {
    await signedIn(await api('GET', '/api/auth/me'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signedOut();
    else { show('auth'); $('form-error').textContent = describe(error); }
  }
}

start();
