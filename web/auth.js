// The sign-in / sign-up form.
import { api, ApiError, describe } from './api.js';

const $ = (id) => document.getElementById(id);
let mode = 'signin';

function clearErrors() {
  for (const id of ['name-error', 'email-error', 'password-error', 'form-error']) $(id).textContent = '';
  for (const id of ['name', 'email', 'password']) $(id).removeAttribute('aria-invalid');
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

/** Wire the form; `onSignedIn(user)` runs after a successful sign-in or sign-up. */
export function setUpAuth(onSignedIn) {
  $('switch-mode').addEventListener('click', () => setMode(mode === 'signin' ? 'signup' : 'signin'));
  $('auth-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    const body = { email: $('email').value, password: $('password').value };
    if (mode === 'signup') body.name = $('name').value;
    $('submit').disabled = true;
    try {
      const user = await api('POST', mode === 'signup' ? '/api/auth/signup' : '/api/auth/login', body);
      $('password').value = '';
      await onSignedIn(user);
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
  });
}

export function showSignIn(message = '') {
  setMode('signin');
  $('form-error').textContent = message;
  $('email').focus();
}
