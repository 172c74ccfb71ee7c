// A confirmation in the console's own modal (window.confirm cannot set out who and what is
// changed; this one can, and screen readers announce it as an alert dialog). `lines` are HTML
// the caller has escaped. Answers true for the OK button; false for 取消, Escape or a click
// beside the box.
import { esc } from './api.js';

export function confirmDialog({ title, lines = [], okText = '确定', cancelText = '取消' }) {
  return new Promise(resolve => {
    const mask = document.createElement('div');
    mask.className = 'modal-mask';
    mask.innerHTML = `<div class="modal" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-text">
      <h3 id="confirm-title">${esc(title)}</h3>
      <div id="confirm-text">${lines.map(line => `<p class="confirm-line">${line}</p>`).join('')}</div>
      <div class="foot"><button type="button" data-answer="no">${esc(cancelText)}</button>
        <button type="button" data-answer="yes" class="primary">${esc(okText)}</button></div></div>`;
    const previous = document.activeElement;
    function close(answer) {
      mask.remove();
      document.removeEventListener('keydown', onKey, true);
      previous?.focus?.();
      resolve(answer);
    }
    function onKey(e) {
      if (e.key === 'Escape') { e.preventDefault(); close(false); }
    }
    mask.addEventListener('click', e => {
      if (e.target === mask) close(false);
      const button = e.target.closest('[data-answer]');
      if (button) close(button.dataset.answer === 'yes');
    });
    document.addEventListener('keydown', onKey, true);
    document.body.appendChild(mask);
    mask.querySelector('[data-answer="no"]').focus(); // the safe choice has the focus
  });
}
