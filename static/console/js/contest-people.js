// A contest's people: roster (filters, CSV, add/remove, waitlist order and promotion),
// check-in on the day (member card QR or search) and results.
import { api, esc } from '../lib/api.js';
import { SIGNUP_TAG, ask, cn, note, tag } from './contest-util.js';

const base = c => `/api/staff/contests/${c.id}`;

async function act(promise, ok, after) {
  try {
    await promise;
    note(ok);
    after?.();
  } catch (err) {
    note(err.message, 'error');
  }
}

function answersText(c, s) {
  return (c.questions || []).map(q => {
    const a = s.answers?.[q.key];
    return a && a.length ? `${esc(q.label)}：${esc(Array.isArray(a) ? a.join('、') : a)}` : '';
  }).filter(Boolean).join('<br>');
}

// --- roster ---------------------------------------------------------------------------------
export async function renderRoster(el, c, { manager, reload }) {
  const live = ['published', 'closed'].includes(c.status);
  el.innerHTML = `<div class="toolbar">
      <select id="f-status"><option value="">全部状态</option><option value="confirmed">已确认</option>
        <option value="waitlisted">候补</option><option value="cancelled">已取消</option><option value="removed">已移出</option></select>
      <select id="f-checked"><option value="">签到：全部</option><option value="true">已签到</option><option value="false">未签到</option></select>
      <input id="f-q" placeholder="姓名 / 手机号 / 会员号">
      <button type="button" id="f-go">筛选</button>
      <span style="flex:1"></span>
      <a class="btn" href="${base(c)}/signups.csv" download>导出CSV</a>
      ${manager && live ? '<button type="button" id="add" class="primary">手动添加</button>' : ''}
    </div><div id="roster"></div>`;
  const load = async () => {
    const params = new URLSearchParams({ per_page: 500 });
    for (const [id, key] of [['#f-status', 'status'], ['#f-checked', 'checked_in'], ['#f-q', 'q']]) {
      const v = el.querySelector(id).value.trim();
      if (v) params.set(key, v);
    }
    const data = await api(`${base(c)}/signups?${params}`);
    const waiting = data.items.filter(s => s.status === 'waitlisted');
    el.querySelector('#roster').innerHTML = `<p class="muted">共 ${data.total} 条 · 已确认 ${data.counts.confirmed || 0} · 候补 ${data.counts.waitlisted || 0} · 已签到 ${data.counts.checked_in || 0}</p>
      <table><thead><tr><th>#</th><th>姓名</th><th>手机号</th><th>会员号</th><th>状态</th><th>报名时间</th><th>签到</th><th>附加问题</th><th>操作</th></tr></thead><tbody>
      ${data.items.map(s => `<tr data-id="${s.id}">
        <td>${s.status === 'waitlisted' ? '候补' + s.position : s.seq}</td><td>${esc(s.name)}${s.source === 'staff' ? ' <span class="tag">人工添加</span>' : ''}</td>
        <td>${esc(s.phone)}</td><td>${esc(s.member_no || '')}</td>
        <td>${tag(SIGNUP_TAG[s.status], s.status_label)}${s.reason ? `<div class="muted small">${esc(s.reason)}</div>` : ''}</td>
        <td>${cn(s.created_at)}</td><td>${s.checked_in_at ? cn(s.checked_in_at).slice(11) : ''}</td>
        <td class="small">${answersText(c, s)}</td>
        <td class="nowrap">${manager && live ? rowActions(s, waiting) : ''}</td></tr>`).join('') || '<tr><td colspan="9" class="muted">没有符合条件的报名</td></tr>'}
      </tbody></table>`;
  };
  const rowActions = (s, waiting) => {
    const out = [];
    if (s.status === 'waitlisted') {
      out.push('<button type="button" class="link" data-do="promote">递补</button>');
      if (waiting.length > 1) out.push('<button type="button" class="link" data-do="up" title="上移">↑</button><button type="button" class="link" data-do="down" title="下移">↓</button>');
    }
    if (['confirmed', 'waitlisted'].includes(s.status)) out.push('<button type="button" class="link danger" data-do="remove">移出</button>');
    return out.join(' ');
  };
  el.querySelector('#f-go').onclick = load;
  el.querySelector('#f-q').onkeydown = (e) => { if (e.key === 'Enter') load(); };
  el.querySelector('#add')?.addEventListener('click', async () => {
    const v = await ask('手动添加报名', [
      { name: 'member_no', label: '会员号（或填手机号）' }, { name: 'phone', label: '手机号' },
      { name: 'name', label: '姓名（未入会职工必填）' }, { name: 'reason', label: '添加原因（记入审计日志）', required: true }]);
    if (!v) return;
    const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x));
    act(api(`${base(c)}/signups`, { method: 'POST', body }), '已添加', reload);
  });
  el.querySelector('#roster').addEventListener('click', async (e) => {
    const b = e.target.closest('[data-do]');
    if (!b) return;
    const id = Number(b.closest('tr').dataset.id);
    if (b.dataset.do === 'remove') {
      const v = await ask('移出名单', [{ name: 'reason', label: '原因（将通过微信告知职工，并记入审计日志）', multiline: true, required: true }], { okText: '移出', danger: true });
      if (v) act(api(`${base(c)}/signups/${id}/remove`, { method: 'POST', body: v }), '已移出', reload);
    } else if (b.dataset.do === 'promote') {
      act(api(`${base(c)}/signups/${id}/promote`, { method: 'POST' }), '已递补为正式参赛', reload);
    } else {
      const all = await api(`${base(c)}/signups?status=waitlisted&per_page=500`);
      const order = all.items.map(s => s.id);
      const i = order.indexOf(id);
      const j = b.dataset.do === 'up' ? i - 1 : i + 1;
      if (j < 0 || j >= order.length) return;
      [order[i], order[j]] = [order[j], order[i]];
      act(api(`${base(c)}/waitlist/order`, { method: 'POST', body: { order } }), '已调整候补顺序', load);
    }
  });
  await load();
}

// --- check-in ------------------------------------------------------------------------------
export async function renderCheckin(el, c) {
  el.innerHTML = `<div class="grid2">
    <div class="card"><h2>扫描会员卡二维码</h2>
      <p class="muted">用扫码枪扫描职工会员卡页面上的二维码（或粘贴二维码内容），回车即签到。</p>
      <form id="scan" class="toolbar"><input id="token" placeholder="扫码内容" autocomplete="off" style="flex:1">
        <button type="submit" class="primary">签到</button>
        ${'BarcodeDetector' in window ? '<button type="button" id="camera">摄像头扫码</button>' : ''}</form>
      <video id="video" hidden playsinline style="width:100%;max-width:360px"></video>
      <div id="last" class="checkin-result" aria-live="polite"></div></div>
    <div class="card"><h2>按姓名 / 手机号 / 会员号查找</h2>
      <form id="search" class="toolbar"><input id="q" placeholder="输入后回车" style="flex:1"><button type="submit">查找</button></form>
      <div id="found"></div></div></div>
    <div class="card"><h2>签到情况</h2><div id="progress"></div></div>`;
  const progress = async () => {
    const d = await api(`${base(c)}/signups?status=confirmed&per_page=500`);
    const done = d.items.filter(s => s.checked_in_at).length;
    el.querySelector('#progress').innerHTML = `<p><b class="big">${done}</b> / ${d.items.length} 人已签到</p>
      <p class="muted small">未签到：${d.items.filter(s => !s.checked_in_at).map(s => esc(s.name)).join('、') || '无'}</p>`;
  };
  const show = (ok, text) => {
    el.querySelector('#last').innerHTML = `<div class="${ok ? 'ok' : 'bad'}">${text}</div>`;
  };
  const checkIn = async (body) => {
    try {
      const r = await api(`${base(c)}/checkin`, { method: 'POST', body });
      show(true, `${esc(r.signup.name)} ${r.already ? '此前已签到（' + cn(r.signup.checked_in_at).slice(11) + '）' : '签到成功'}`);
      progress();
      return true;
    } catch (err) {
      show(false, esc(err.message));
      return false;
    }
  };
  el.querySelector('#scan').onsubmit = async (e) => {
    e.preventDefault();
    const input = el.querySelector('#token');
    if (input.value.trim()) await checkIn({ token: input.value.trim() });
    input.value = '';
    input.focus();
  };
  el.querySelector('#search').onsubmit = async (e) => {
    e.preventDefault();
    const q = el.querySelector('#q').value.trim();
    if (!q) return;
    const d = await api(`${base(c)}/signups?q=${encodeURIComponent(q)}`);
    el.querySelector('#found').innerHTML = d.items.map(s => `<div class="found-row" data-id="${s.id}">
      <span><b>${esc(s.name)}</b> ${esc(s.phone)} ${esc(s.member_no || '')} ${tag(SIGNUP_TAG[s.status], s.status === 'waitlisted' ? '候补' + s.position : s.status_label)}</span>
      ${s.status === 'confirmed' ? (s.checked_in_at ? `<span class="muted">已签到 ${cn(s.checked_in_at).slice(11)}</span>` : '<button type="button" class="primary" data-checkin>签到</button>') : ''}
    </div>`).join('') || '<p class="muted">没有找到</p>';
  };
  el.querySelector('#found').onclick = async (e) => {
    if (!e.target.matches('[data-checkin]')) return;
    if (await checkIn({ signup_id: Number(e.target.closest('[data-id]').dataset.id) })) el.querySelector('#search').requestSubmit();
  };
  el.querySelector('#camera')?.addEventListener('click', async () => {
    const video = el.querySelector('#video');
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    const tick = async () => {
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) {
        stream.getTracks().forEach(t => t.stop());
        video.hidden = true;
        await checkIn({ token: codes[0].rawValue });
      } else requestAnimationFrame(tick);
    };
    tick();
  });
  el.querySelector('#token').focus();
  await progress();
}

// --- results -------------------------------------------------------------------------------
export async function renderResults(el, c, { manager, reload }) {
  const d = await api(`${base(c)}/signups?status=confirmed&per_page=500`);
  const locked = !!c.results_published_at || !manager;
  el.innerHTML = `<div class="card">
    <p class="muted">${c.scoring_note ? '评分方式：' + esc(c.scoring_note) + '。' : ''}${c.results_published_at ? '成绩已于 ' + cn(c.results_published_at) + ' 发布，不能再修改。'
      : c.status === 'finished' ? '核对无误后点击“发布成绩”，每位参赛者将在微信中收到本人成绩。' : '比赛开始后可录入成绩；结束竞赛后发布。'}</p>
    <table><thead><tr><th>#</th><th>姓名</th><th>会员号</th><th>签到</th><th>成绩</th><th>名次</th><th>奖项</th></tr></thead><tbody>
    ${d.items.map(s => `<tr data-id="${s.id}"><td>${s.seq}</td><td>${esc(s.name)}</td><td>${esc(s.member_no || '')}</td>
      <td>${s.checked_in_at ? '✓' : '<span class="muted">未签到</span>'}</td>
      <td><input data-r="score" type="number" step="0.01" min="0" value="${s.score ?? ''}" ${locked ? 'disabled' : ''} style="width:90px"></td>
      <td><input data-r="rank" type="number" min="1" value="${s.rank ?? ''}" ${locked ? 'disabled' : ''} style="width:70px"></td>
      <td><input data-r="award" value="${esc(s.award || '')}" ${locked ? 'disabled' : ''} placeholder="如 一等奖" style="width:120px"></td></tr>`).join('')
      || '<tr><td colspan="7" class="muted">没有已确认的参赛人员</td></tr>'}
    </tbody></table>
    <div class="toolbar" style="margin-top:12px">
      ${!locked ? '<button type="button" id="save" class="primary">保存成绩</button>' : ''}
      ${manager && c.status === 'finished' && !c.results_published_at ? '<button type="button" id="publish">发布成绩</button>' : ''}
    </div></div>`;
  el.querySelector('#save')?.addEventListener('click', () => {
    const entries = [...el.querySelectorAll('tbody tr[data-id]')].map(tr => {
      const v = k => tr.querySelector(`[data-r=${k}]`).value.trim();
      return { signup_id: Number(tr.dataset.id), score: v('score') || null, rank: v('rank') ? Number(v('rank')) : null, award: v('award') || null };
    });
    act(api(`${base(c)}/results`, { method: 'PUT', body: { entries } }), '成绩已保存');
  });
  el.querySelector('#publish')?.addEventListener('click', () => {
    if (confirm('发布后每位参赛者将收到微信通知，且成绩不能再修改。确定发布？')) {
      act(api(`${base(c)}/results/publish`, { method: 'POST' }), '成绩已发布', reload);
    }
  });
}
