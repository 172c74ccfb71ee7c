// 诉求详情: status, handler, deadline, every public line, add information, withdraw, rate.
import { api, ApiError, qs } from '/h5/lib/api.js';
import { $, esc, loading, showFieldErrors, toast } from '/h5/lib/ui.js';
import { badge, fmtDate } from '/h5/js/requests-common.js';

const id = Number(qs('id'));
let rating = 0;

// Where the mediation meets: the service position (with its page: hours, navigation) and the note.
function renderMeeting(m) {
  $('#meeting').hidden = !m;
  if (!m) return;
  const p = m.position;
  $('#meeting').innerHTML = `<p class="meeting-title">调解地点</p>`
    + (p ? `<p class="meeting-place">${esc(p.name)}<span class="meeting-address">${esc(p.address)}</span></p>` : '')
    + (m.note ? `<p>${esc(m.note)}</p>` : '')
    + (p && p.status !== 'open' ? `<p class="meeting-state">${esc(p.status_label)}${p.status_note ? '：' + esc(p.status_note) : ''}</p>` : '')
    + (p && p.url ? `<a class="meeting-link" href="${esc(p.url)}">查看地点和导航 ›</a>` : '');
}

function render(r) {
  document.title = `${r.type_label} · ${r.number}`;
  $('#title').innerHTML = `${esc(r.type_label)} ${badge(r)}`;
  $('#subtitle').textContent = `编号 ${r.number} · ${fmtDate(r.created_at, true)}提交`;
  $('#awaiting').hidden = r.status !== 'awaiting_worker';
  $('#awaiting').textContent = '工会需要您补充材料，请查看下方办理记录，在页面底部补充。';
  $('#outcome').hidden = !r.outcome_text;
  $('#outcome').textContent = r.outcome_text || '';
  const due = r.due_at ? `${fmtDate(r.due_at, true)}前${r.due_kind === 'first_response' ? '答复您' : '办结'}` : '';
  $('#clocks').hidden = !r.clocks.length;
  $('#clocks').innerHTML = r.clocks.map(c => `<p>${esc(c)}</p>`).join('');
  renderMeeting(r.meeting);
  const rows = [
    ['受理单位', r.routing_sentence || r.federation_name], ['当前状态', r.status_label], ['办理期限', due],
    ['用人单位', r.employer_name], ['工作地', r.region_name], ['行业', r.industry_name],
    ['事情经过', r.facts], ['您的诉求', r.wants], ['涉及金额', r.amount ? `${r.amount}元` : ''],
    ['知道侵权日期', r.learned_on || ''],
    ...r.details.map(d => [d.label, d.value]),
    ['您的评价', r.rating ? '★'.repeat(r.rating) + (r.rating_comment ? `　${r.rating_comment}` : '') : ''],
  ].filter(([, v]) => v);
  $('#summary').innerHTML = rows.map(([k, v]) => `<div><span class="k">${k}</span><span class="v">${esc(v)}</span></div>`).join('');
  $('#timeline').innerHTML = r.events.slice().reverse().map(e => `
    <li><div class="who ${e.by_worker ? 'mine' : ''}">${e.by_worker ? (e.kind === 'worker_message' ? '我（微信对话）' : '我') : '工会'} · ${fmtDate(e.created_at, true)}</div>${esc(e.body)}</li>`).join('');
  $('#thumbs').innerHTML = r.attachments.filter(a => a.status === 'stored').map(a =>
    `<a href="/api/requests/${r.id}/attachments/${a.id}" target="_blank"><img alt="证据图片" loading="lazy" src="/api/requests/${r.id}/attachments/${a.id}"></a>`).join('');
  const state = { pending: '正在从微信获取', stored: '已收到', failed: '获取失败，请重新上传' };
  $('#attachments').innerHTML = r.attachments.length
    ? r.attachments.map((a, i) => `<div><span class="k">图片${i + 1}</span><span class="v">${state[a.status]} · ${fmtDate(a.created_at, true)}</span></div>`).join('')
    : '<div><span class="v">暂无</span></div>';
  $('#info-form').hidden = !r.can_add_info;
  $('#withdraw-area').hidden = !r.can_withdraw;
  $('#rate-form').hidden = !r.can_rate;
  $('#reopen-form').hidden = !r.can_ask_reopen;
  $('#reopen-until').textContent = r.reopen_until ? `可在${r.reopen_until}前申请` : '';
}

$('#reopen-form').addEventListener('submit', async e => {
  e.preventDefault();
  const reason = $('#reopen-reason').value.trim();
  if (reason.length < 2) { showFieldErrors($('#reopen-form'), { reason: '请写明不满意的原因（至少2个字）' }); return; }
  try {
    render(await api(`/api/requests/${id}/reopen-request`, { method: 'POST', body: { reason } }));
    showFieldErrors($('#reopen-form'), {});
    toast('已提交，工会会尽快答复');
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) showFieldErrors($('#reopen-form'), err.fields); else toast(err.message);
  }
});

async function load() {
  try { render(await api(`/api/requests/${id}`)); } catch (err) {
    $('#page').innerHTML = `<div class="empty">${esc(err.status === 404 ? '找不到该诉求' : err.message)}</div>
      <div class="weui-btn-area"><a class="weui-btn weui-btn_default" href="/h5/me.html">返回我的</a></div>`;
  }
}

$('#info-form').addEventListener('submit', async e => {
  e.preventDefault();
  const text = $('#info-text').value.trim();
  const files = [...$('#info-photos').files];
  if (!text && !files.length) { showFieldErrors($('#info-form'), { text: '请填写补充内容或选择图片' }); return; }
  try {
    loading(true, '正在提交');
    for (const file of files) {
      const form = new FormData();
      form.append('file', file, file.name);
      await api(`/api/requests/${id}/attachments`, { method: 'POST', form });
    }
    const r = text ? await api(`/api/requests/${id}/info`, { method: 'POST', body: { text } }) : await api(`/api/requests/${id}`);
    $('#info-text').value = ''; $('#info-photos').value = ''; $('#info-picked').textContent = '';
    showFieldErrors($('#info-form'), {});
    render(r);
    toast('已提交');
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) showFieldErrors($('#info-form'), err.fields); else toast(err.message);
  } finally { loading(false); }
});

$('#info-photos').addEventListener('change', () => {
  const n = $('#info-photos').files.length;
  $('#info-picked').textContent = n ? `已选择${n}张` : '';
});

$('#stars').innerHTML = [1, 2, 3, 4, 5].map(n => `<button type="button" data-n="${n}" aria-label="${n}星">★</button>`).join('');
$('#stars').addEventListener('click', e => {
  const n = Number(e.target.dataset.n);
  if (!n) return;
  rating = n;
  $('#stars').querySelectorAll('button').forEach(b => b.classList.toggle('on', Number(b.dataset.n) <= n));
});
$('#rate-form').addEventListener('submit', async e => {
  e.preventDefault();
  if (!rating) { showFieldErrors($('#rate-form'), { rating: '请点击星星打分' }); return; }
  try {
    render(await api(`/api/requests/${id}/rating`, { method: 'POST', body: { rating, comment: $('#rate-comment').value.trim() || null } }));
    toast('感谢您的评价');
  } catch (err) { toast(err.message); }
});

$('#withdraw').addEventListener('click', () => { $('#withdraw-dialog').hidden = false; });
$('#withdraw-cancel').addEventListener('click', () => { $('#withdraw-dialog').hidden = true; });
$('#withdraw-confirm').addEventListener('click', async () => {
  $('#withdraw-dialog').hidden = true;
  try {
    render(await api(`/api/requests/${id}/withdraw`, { method: 'POST', body: { reason: $('#withdraw-reason').value.trim() || null } }));
    toast('已撤回');
  } catch (err) { toast(err.message); }
});

await load();
