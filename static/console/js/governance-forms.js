// One dialog for every governance form: openForm(title, fields, submit) shows the fields, sends
// what was typed, puts each Chinese field error under its field, and closes on success.
// A field: { name, label, type: text|date|number|select|checkbox|textarea|list, options: [[value, label]],
//            value, hint, required }.
import { ApiError, esc } from '/console/lib/api.js';

let dialog;

function ensureDialog() {
  if (dialog) return dialog;
  dialog = document.createElement('dialog');
  dialog.id = 'gov-dialog';
  dialog.innerHTML = `<form method="dialog" class="gov-form"><h3></h3><div class="gov-fields"></div>
    <p class="error" data-error="form"></p>
    <div class="foot"><button type="button" data-act="cancel">取消</button>
    <button type="submit" class="primary">保存</button></div></form>`;
  document.body.appendChild(dialog);
  dialog.querySelector('[data-act=cancel]').addEventListener('click', () => dialog.close());
  return dialog;
}

function control(f) {
  const value = f.value ?? '';
  const id = `gf-${f.name}`;
  if (f.type === 'select') {
    return `<select id="${id}" name="${f.name}">${(f.options || []).map(([v, l]) =>
      `<option value="${esc(v)}" ${String(v) === String(value) ? 'selected' : ''}>${esc(l)}</option>`).join('')}</select>`;
  }
  if (f.type === 'checkbox') return `<input id="${id}" type="checkbox" name="${f.name}" ${value ? 'checked' : ''}>`;
  if (f.type === 'textarea' || f.type === 'list') {
    return `<textarea id="${id}" name="${f.name}" rows="3">${esc(Array.isArray(value) ? value.join('\n') : value)}</textarea>`;
  }
  const type = f.type === 'number' ? 'number' : f.type === 'date' ? 'date' : 'text';
  return `<input id="${id}" name="${f.name}" type="${type}" value="${esc(value)}" ${type === 'number' ? 'min="0" step="1"' : ''}>`;
}

export function fieldsHtml(fields) {
  return fields.map(f => `<div class="gov-field ${f.type === 'textarea' || f.type === 'list' ? 'wide' : ''}">
    <label for="gf-${f.name}">${esc(f.label)}${f.required ? ' <span class="error">*</span>' : ''}</label>${control(f)}
    ${f.hint ? `<p class="hint">${esc(f.hint)}</p>` : ''}<p class="field-error" data-for="${f.name}"></p></div>`).join('');
}

// What the form holds, typed: numbers as integers, empty as null (or left out when `omitEmpty`).
export function readFields(root, fields) {
  const out = {};
  for (const f of fields) {
    const el = root.querySelector(`[name="${f.name}"]`);
    if (!el) continue;
    if (f.type === 'checkbox') { out[f.name] = el.checked; continue; }
    const raw = el.value.trim();
    if (f.type === 'list') { out[f.name] = raw ? raw.split(/[\n,，、]+/).map(s => s.trim()).filter(Boolean) : []; continue; }
    if (raw === '') { if (!f.omitEmpty) out[f.name] = null; continue; }
    if (f.type === 'number' || f.integer) out[f.name] = /^\d+$/.test(raw) ? Number(raw) : raw;
    else out[f.name] = raw;
  }
  return out;
}

export function showErrors(root, err) {
  root.querySelectorAll('[data-for], [data-error]').forEach(el => { el.textContent = ''; });
  if (!(err instanceof ApiError)) throw err;
  const rest = [];
  for (const [key, message] of Object.entries(err.fields || {})) {
    const slot = root.querySelector(`[data-for="${key}"]`);
    if (slot) slot.textContent = message; else rest.push(typeof message === 'string' ? message : JSON.stringify(message));
  }
  const general = root.querySelector('[data-error="form"]');
  if (general) general.textContent = rest.length ? rest.join('；') : (Object.keys(err.fields || {}).length ? '' : err.message);
}

// Open the dialog; `submit(values, root)` returns a promise; errors stay in the dialog.
export function openForm(title, fields, submit, { extra = '', onOpen } = {}) {
  const d = ensureDialog();
  const form = d.querySelector('form');
  d.querySelector('h3').textContent = title;
  d.querySelector('.gov-fields').innerHTML = fieldsHtml(fields) + extra;
  d.querySelector('[data-error=form]').textContent = '';
  if (onOpen) onOpen(d);
  form.onsubmit = async event => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await submit(readFields(form, fields), form);
      d.close();
    } catch (err) {
      showErrors(form, err);
    } finally {
      button.disabled = false;
    }
  };
  d.showModal();
  return d;
}
