// Helpers of the contest console pages: China-time formatting and inputs, state tags, a small
// modal that asks for a reason.
import { esc, flash } from '../lib/api.js';

const CHINA = 8 * 3600 * 1000; // China has no daylight saving time

function china(iso) {
  return new Date(new Date(iso).getTime() + CHINA);
}

const pad = n => String(n).padStart(2, '0');

// 2026-12-01 09:00 (China time, whatever the browser's zone)
export function cn(iso) {
  if (!iso) return '';
  const d = china(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

// value for <input type="datetime-local"> in China time
export function toInput(iso) {
  return iso ? cn(iso).replace(' ', 'T') : '';
}

// <input type="datetime-local"> (China time) → ISO UTC, or null when empty
export function fromInput(value) {
  if (!value) return null;
  const [date, time] = value.split('T');
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  return new Date(Date.UTC(y, m - 1, d, hh, mm) - CHINA).toISOString();
}

export const STATUS_TAG = {
  draft: 'tag', published: 'tag green', closed: 'tag orange', finished: 'tag', cancelled: 'tag red',
};

export const SIGNUP_TAG = { confirmed: 'tag green', waitlisted: 'tag orange', cancelled: 'tag', removed: 'tag red' };

export function tag(kind, label) {
  return `<span class="${kind}">${esc(label)}</span>`;
}

// Ask for one or more text values in a modal; answers {name: value} or null when dismissed.
export function ask(title, fields, { okText = '确定', danger = false } = {}) {
  return new Promise((resolve) => {
    const box = document.createElement('div');
    box.className = 'modal-mask';
    box.innerHTML = `<form class="modal card" role="dialog" aria-modal="true">
      <h2>${esc(title)}</h2>
      ${fields.map(f => `<label for="ask-${f.name}">${esc(f.label)}</label>
        ${f.multiline ? `<textarea id="ask-${f.name}" name="${f.name}" ${f.required ? 'required' : ''}>${esc(f.value || '')}</textarea>`
          : `<input id="ask-${f.name}" name="${f.name}" value="${esc(f.value || '')}" placeholder="${esc(f.placeholder || '')}" ${f.required ? 'required' : ''} style="width:100%">`}`).join('')}
      <div class="toolbar modal-actions"><button type="button" data-no>取消</button>
        <button type="submit" class="primary ${danger ? 'danger' : ''}">${esc(okText)}</button></div>
    </form>`;
    document.body.appendChild(box);
    const form = box.querySelector('form');
    form.querySelector('input,textarea')?.focus();
    box.querySelector('[data-no]').onclick = () => { box.remove(); resolve(null); };
    form.onsubmit = (e) => {
      e.preventDefault();
      const out = Object.fromEntries(fields.map(f => [f.name, form.elements[f.name].value.trim()]));
      box.remove();
      resolve(out);
    };
  });
}

export function fieldErrors(root, fields = {}) {
  root.querySelectorAll('.field-msg').forEach(el => el.remove());
  for (const [name, message] of Object.entries(fields)) {
    const input = root.querySelector(`[data-field="${name}"]`) || root.querySelector(`[data-field="${name.split('.')[0]}"]`);
    const note = document.createElement('div');
    note.className = 'error field-msg';
    note.textContent = `${input ? '' : name + '：'}${Array.isArray(message) ? message.join('；') : typeof message === 'object' ? JSON.stringify(message) : message}`;
    (input?.parentElement || root.querySelector('.form-errors') || root).appendChild(note);
  }
}

// One message at a time (lib/api.js's flash stacks them in the same place).
export function note(message, kind = 'ok') {
  document.querySelectorAll('.flash').forEach(el => el.remove());
  flash(message, kind);
}
