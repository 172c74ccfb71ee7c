// 调解地点 on a mediation's detail page: where the parties meet — a service position the staff
// member can see, and/or a note (when, which room). Saving tells the worker in WeChat.
import { api, esc, flash } from '/console/lib/api.js';
import { pickedId, placeHtml, positionOptions } from './position-picker.js';

let shownKey = '';

// Draw the card for request `r` (only when what it shows changed: the page polls, and a
// half-filled form must not be wiped); `reload` refreshes the whole page after saving.
export async function renderMeeting(card, r, reload) {
  card.hidden = r.type !== 'mediation';
  if (card.hidden) return;
  const editable = r.actions.includes('meeting');
  const key = JSON.stringify([r.meeting, editable]);
  if (key === shownKey) return;
  shownKey = key;
  const m = r.meeting;
  const now = m ? `<p id="meeting-now">${placeHtml(m.position, m.note)}</p>` : '<p class="muted" id="meeting-now">尚未安排调解地点</p>';
  if (!editable) {
    card.querySelector('#meeting').innerHTML = now;
    return;
  }
  const options = await positionOptions(m && m.position, r.federation_id, '不选服务阵地');
  card.querySelector('#meeting').innerHTML = `${now}
    <form id="meeting-form" class="stack no-print" novalidate>
      <label for="meeting-position">服务阵地</label>
      <select id="meeting-position" name="position_id" style="width:100%">${options}</select>
      <label for="meeting-note">时间、房间等（职工可见）</label>
      <input id="meeting-note" name="note" maxlength="200" style="width:100%" value="${esc(m?.note || '')}" placeholder="如：12月8日（周二）下午3点，二楼调解室">
      <p class="muted small">职工会在微信收到调解地点和导航链接，诉求页面也会显示。</p>
      <p class="error" id="meeting-error" role="alert"></p>
      <div><button type="submit" class="primary">保存并通知职工</button></div>
    </form>`;
  const form = card.querySelector('#meeting-form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    form.querySelector('#meeting-error').textContent = '';
    try {
      await api(`/api/inbox/requests/${r.id}/meeting`, {
        method: 'POST', body: { position_id: pickedId(form.elements.position_id), note: form.elements.note.value.trim() || null },
      });
      flash('调解地点已保存，已通知职工');
      shownKey = '';
      await reload();
    } catch (err) {
      form.querySelector('#meeting-error').textContent = Object.values(err.fields || {}).join('；') || err.message;
    }
  });
}
