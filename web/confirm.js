// One confirmation dialog for every destructive action. Resolves true only on the OK button.
import { $ } from './dom.js';

export function confirmAction({ title, text, ok, cancel = 'Cancel' }) {
  return new Promise((resolve) => {
    const dialog = $('confirm-dialog');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-ok').textContent = ok;
    $('confirm-cancel').textContent = cancel;
    let answered = false;
    const done = (answer) => {
      if (answered) return;
      answered = true;
      $('confirm-ok').onclick = null;
      $('confirm-cancel').onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    $('confirm-ok').onclick = () => done(true);
    $('confirm-cancel').onclick = () => done(false);
    dialog.onclose = () => done(false);
    dialog.showModal();
    $('confirm-cancel').focus();
  });
}
