// Page-wide messages: the screen-reader announcer and the dismissable success banner.
import { $ } from './dom.js';

export function announce(text) {
  $('announcer').textContent = text;
}

/** A message at the top of the page until dismissed or replaced (a success, or with `error`). */
export function flash(text, { error = false } = {}) {
  $('flash-text').textContent = text;
  $('flash').classList.toggle('ok', !error);
  $('flash').hidden = !text;
}

export function setUpFlash() {
  $('flash-close').addEventListener('click', () => flash(''));
}
