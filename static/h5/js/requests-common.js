// Shared by me.html and request.html.
import { esc } from '/h5/lib/ui.js';

export function fmtDate(iso, withTime = false) {
  if (!iso) return '';
  const d = new Date(/Z|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + 'Z');
  const pad = n => String(n).padStart(2, '0');
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return withTime ? `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}` : day;
}

export function badge(r) {
  const kind = r.status === 'awaiting_worker' ? 'waiting' : ['resolved', 'closed', 'withdrawn'].includes(r.status) ? 'done' : '';
  return `<span class="status-badge ${kind}">${esc(r.status_label)}</span>`;
}
