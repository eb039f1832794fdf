// The signed-out pages: sign in, sign up (then verify the address from the e-mail), "forgot
// password" and the new-password form a reset link opens.
import { request, ApiError } from './api.js';
import { $, clearErrors, fieldError, showError, busy } from './dom.js';

const MODES = {
  signin: {
    title: 'Sign in', submit: 'Sign in', fields: ['email', 'password'], password: 'Password',
    switchText: 'New here?', switchLabel: 'Create an account', switchTo: 'signup',
  },
  signup: {
    title: 'Create your account', submit: 'Create account', fields: ['name', 'email', 'password'], password: 'Password',
    switchText: 'Already have an account?', switchLabel: 'Sign in', switchTo: 'signin',
  },
  forgot: {
    title: 'Reset your password', submit: 'Send me a reset link', fields: ['email'],
    intro: 'Enter the address you sign in with. If it has an account, we send it a link to choose a new password.',
    switchText: 'Remembered it?', switchLabel: 'Sign in', switchTo: 'signin',
  },
  reset: {
    title: 'Choose a new password', submit: 'Set the new password', fields: ['password', 'password2'], password: 'New password',
    intro: 'Every session of your account will be signed out; then sign in with the new password.',
    switchText: 'Changed your mind?', switchLabel: 'Sign in', switchTo: 'signin',
  },
};
const FIELDS = { name: 'name', email: 'email', password: 'password', token: 'password' };

let mode = 'signin';
let resetToken = null;
let onSignedIn = async () => {};

function note(text) {
  $('auth-note').textContent = text;
  $('auth-note').hidden = !text;
}

function setMode(next) {
  mode = next;
  const m = MODES[mode];
  $('auth-title').textContent = m.title;
  $('submit').textContent = m.submit;
  $('auth-intro').textContent = m.intro || '';
  $('auth-intro').hidden = !m.intro;
  $('name-field').hidden = !m.fields.includes('name');
  $('email-field').hidden = !m.fields.includes('email');
  $('password-field').hidden = !m.fields.includes('password');
  $('password2-field').hidden = !m.fields.includes('password2');
  $('password-label').textContent = m.password || 'Password';
  $('password-hint').hidden = !(mode === 'signup' || mode === 'reset');
  $('password').autocomplete = mode === 'signin' ? 'current-password' : 'new-password';
  $('email').required = m.fields.includes('email');
  $('password').required = m.fields.includes('password');
  $('forgot-line').hidden = mode !== 'signin';
  $('switch-text').textContent = m.switchText;
  $('switch-mode').textContent = m.switchLabel;
  $('password').value = '';
  $('password2').value = '';
  clearErrors($('auth'));
}

function focusFirst() {
  const first = MODES[mode].fields.find((f) => !$(f).value) || MODES[mode].fields[0];
  $(first).focus();
}

async function submit(event) {
  event.preventDefault();
  clearErrors($('auth'));
  const email = $('email').value.trim();
  const password = $('password').value;
  try {
    if (mode === 'signin') {
      const user = await request('POST', '/api/auth/login', { body: { email, password } });
      $('password').value = '';
      note('');
      await onSignedIn(user.data);
    } else if (mode === 'signup') {
      const { data, status } = await request('POST', '/api/auth/signup', { body: { email, name: $('name').value, password } });
      if (status === 201 && data?.id) { // a stack that signs people in at once
        note('');
        await onSignedIn(data);
        return;
      }
      setMode('signin');
      note(`Check your mail: we sent a link to ${email} to verify the address. Open it, then sign in here.`);
      $('auth-title').focus();
    } else if (mode === 'forgot') {
      await request('POST', '/api/auth/password/forgot', { body: { email } });
      setMode('signin');
      note(`If an account exists for ${email}, we sent it a link to reset the password. Check your mail.`);
      $('auth-title').focus();
    } else if (mode === 'reset') {
      if (password !== $('password2').value) {
        fieldError('password2', 'The two passwords differ. Type the same new password twice.');
        return;
      }
      await request('POST', '/api/auth/password/reset', { body: { token: resetToken, password } });
      resetToken = null;
      setMode('signin');
      note('Your password is changed, and every session of your account was signed out. Sign in with the new password.');
      focusFirst();
    }
  } catch (error) {
    if (mode === 'reset' && error instanceof ApiError && error.type === 'invalid-token') {
      resetToken = null;
      setMode('forgot');
      $('form-error').textContent = 'This reset link is invalid, has expired or was already used. Ask for a new one here.';
      focusFirst();
      return;
    }
    showError(error, { fields: FIELDS, formError: 'form-error' });
  }
}

/** Wire the form; `signedIn(user)` runs after a successful sign-in. */
export function setUpAuth(signedIn) {
  onSignedIn = signedIn;
  $('switch-mode').addEventListener('click', () => {
    note('');
    setMode(MODES[mode].switchTo);
    focusFirst();
  });
  $('forgot').addEventListener('click', () => {
    note('');
    setMode('forgot');
    focusFirst();
  });
  $('auth-form').addEventListener('submit', (event) => busy($('submit'), () => submit(event)));
}

/** The sign-in form, with an error (`text`) or a success note, and the address filled in. */
export function showSignIn(text = '', { notice = '', email } = {}) {
  setMode('signin');
  if (email !== undefined) $('email').value = email;
  note(notice);
  $('form-error').textContent = text;
  focusFirst();
}

/** "Forgot password?" with the address filled in. */
export function showForgot(email = '') {
  setMode('forgot');
  note('');
  $('email').value = email;
  focusFirst();
}

/** The form a reset link opens. */
export function showReset(token) {
  resetToken = token;
  setMode('reset');
  note('');
  focusFirst();
}
