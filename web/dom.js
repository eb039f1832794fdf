// Small DOM helpers. `el` sets text with textContent and appends strings as text nodes, so
// nothing a person typed is ever parsed as HTML.
import { ApiError, describe, fieldSummary } from './api.js';

export const $ = (id) => document.getElementById(id);

/** `el('button', { type: 'button', class: 'link', text: 'Remove', onclick }, ...children)` */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** Empty every field error and form error inside `root`, and un-mark invalid inputs. */
export function clearErrors(root) {
  for (const p of root.querySelectorAll('.field-error, .form-error')) p.textContent = '';
  for (const input of root.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/** Put a message under one input (its error paragraph is `<inputId>-error`). */
export function fieldError(inputId, message, focus = true) {
  const input = $(inputId);
  $(`${inputId}-error`).textContent = message;
  input.setAttribute('aria-invalid', 'true');
  if (focus) input.focus();
}

/**
 * Show an API failure on a form: each 422 field message under its input (`fields` maps the API's
 * field name to the input's id), everything else in the form's error line.
 */
export function showError(error, { fields = {}, formError, overrides } = {}) {
  const list = error instanceof ApiError ? error.problem.errors || [] : [];
  const leftover = [];
  let focused = false;
  for (const { field, message } of list) {
    const inputId = fields[field];
    const input = inputId && $(inputId);
    if (!input || input.closest('[hidden]')) {
      leftover.push(message);
      continue;
    }
    fieldError(inputId, message, !focused);
    focused = true;
  }
  if (!formError) return;
  if (!focused) {
    const text = describe(error, overrides);
    $(formError).textContent = text;
  } else if (leftover.length) {
    $(formError).textContent = leftover.join(' ');
  }
  // A 422 whose fields this form has no place for still says what was wrong.
  if (!focused && list.length && !$(formError).textContent.includes(fieldSummary(error))) {
    $(formError).textContent += ` ${fieldSummary(error)}`;
  }
}

/** Run `work` with `button` disabled (no double submits). */
export async function busy(button, work) {
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}
