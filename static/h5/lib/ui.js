// Small WeUI helpers shared by the worker pages.
export function $(sel, root = document) { return root.querySelector(sel); }

export function esc(text) {
  return String(text ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function toast(message, ms = 1800) {
  const el = document.createElement('div');
  el.innerHTML = `<div class="weui-mask_transparent"></div><div class="weui-toast weui-toast_text"><p class="weui-toast__content">${esc(message)}</p></div>`;
  document.body.appendChild(el);
  setTimeout(() => el.remove(), ms);
}

// Scrolls this page (only: scrollIntoView would also scroll a page embedding it, such as the
// phone simulator) so that `el` is near the top.
export function scrollToEl(el, { smooth = true } = {}) {
  const top = el.getBoundingClientRect().top + window.scrollY - 12;
  window.scrollTo({ top: Math.max(0, top), behavior: smooth ? 'smooth' : 'auto' });
}

// Shows each field's message next to it: an element [data-error-for="field"] in the form.
export function showFieldErrors(form, fields = {}) {
  form.querySelectorAll('[data-error-for]').forEach(el => { el.textContent = ''; el.hidden = true; });
  form.querySelectorAll('.weui-cell_warn').forEach(el => el.classList.remove('weui-cell_warn'));
  let first = null;
  for (const [name, message] of Object.entries(fields)) {
    const slot = form.querySelector(`[data-error-for="${name}"]`);
    if (!slot) continue;
    slot.textContent = Array.isArray(message) ? message.join('；') : String(message);
    slot.hidden = false;
    slot.closest('.weui-cell')?.classList.add('weui-cell_warn');
    first = first || slot;
  }
  // the first field to fix goes to the top: a toast (at 40% of the height) would cover it mid-screen
  if (first) scrollToEl(first.closest('.weui-cell') || first);
}

export function loading(on, text = '加载中') {
  let el = document.getElementById('weui-loading');
  if (!on) { el?.remove(); return; }
  if (el) return;
  el = document.createElement('div');
  el.id = 'weui-loading';
  el.innerHTML = `<div class="weui-mask_transparent"></div><div class="weui-toast"><span class="weui-primary-loading weui-icon_toast"><span class="weui-primary-loading__dot"></span></span><p class="weui-toast__content">${esc(text)}</p></div>`;
  document.body.appendChild(el);
}
