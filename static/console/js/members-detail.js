// The detail panel of members.html: one application (approve / correction / reject / transfer)
// or one member (transfer, release, accept, retained, withdrawal). The full ID number is a
// separate, audited request for staff allowed to see it.
import { api, esc, flash, fmtTime } from '../lib/api.js';

const ACTIONS_TEXT = {
  submit: '提交申请', resubmit: '补正后重新提交', correction: '要求补正', approve: '批准入会',
  reject: '不予通过', transfer: '转办', withdraw: '申请人撤回',
};
let federations = null;

async function federationOptions(excludeId) {
  federations = federations || await api('/api/federations');
  return '<option value="">选择接收的工会联合会</option>' + federations
    .filter(f => f.id !== excludeId).map(f => `<option value="${f.id}">${esc(f.name)}</option>`).join('');
}

function kv(rows) {
  return '<dl class="kv">' + rows.filter(Boolean)
    .map(([k, v]) => `<dt>${k}</dt><dd>${v ?? ''}</dd>`).join('') + '</dl>';
}

function idLine(masked, canView, kind) {
  if (!masked) return '<span class="muted">（已按保存期限删除）</span>';
  return `<span class="mono" id="id-value">${esc(masked)}</span>` +
    (canView ? ` <button type="button" class="link" data-reveal="${kind}">查看完整号码</button>` : '');
}

function wireReveal(root, url) {
  root.querySelector('[data-reveal]')?.addEventListener('click', async e => {
    if (!confirm('查看完整身份证号将记入审计日志。确定查看吗？')) return;
    const { id_number: number } = await api(url);
    root.querySelector('#id-value').textContent = number;
    e.target.replaceWith(Object.assign(document.createElement('span'), { className: 'muted', textContent: '（本次查看已记录）' }));
  });
}

function actionForm(root, { id, label, body, submit, danger }) {
  const holder = root.querySelector('#action-form');
  holder.innerHTML = `<div class="action-form" id="${id}"><strong>${label}</strong>${body}
    <p class="error" data-form-error></p>
    <div class="actions"><button type="button" class="${danger ? '' : 'primary'}" data-submit>${label}</button>
    <button type="button" data-cancel>取消</button></div></div>`;
  const box = holder.firstElementChild;
  box.querySelector('[data-cancel]').onclick = () => { holder.innerHTML = ''; };
  box.querySelector('[data-submit]').onclick = async () => {
    box.querySelector('[data-form-error]').textContent = '';
    try { await submit(box); } catch (err) {
      box.querySelector('[data-form-error]').textContent =
        Object.values(err.fields || {}).join('；') || err.message;
    }
  };
  box.querySelector('textarea, select')?.focus();
}

const reasonField = placeholder => `<textarea name="reason" placeholder="${placeholder}"></textarea>`;

// --- applications ---------------------------------------------------------------------------
export async function showApplication(id, { staff, detail, reload, reopen }) {
  const a = await api(`/api/applications/${id}`);
  const open = a.status === 'pending';
  const history = (a.history || []).map(h => `<li>${fmtTime(h.at)} · ${ACTIONS_TEXT[h.action] || esc(h.action)}
    ${h.note ? `：${esc(h.note)}` : ''}${h.member_no ? `（会员号 ${esc(h.member_no)}）` : ''}</li>`).join('');
  detail.innerHTML = `<h2>入会申请 #${a.id} <span class="tag ${a.overdue ? 'red' : ''}">${a.overdue ? '已超期' : esc(a.status_label)}</span></h2>
    ${kv([
      ['姓名', esc(a.name || '（已删除）')], ['身份证号', idLine(a.id_masked, staff.may_view_id, 'application')],
      ['性别', esc(a.gender || '')], ['年龄段', esc(a.age_band || '')], ['手机', `<span class="mono">${esc(a.phone || '')}</span>`],
      ['就业形态', esc(a.employment_form_label || '')], ['单位/平台', esc(a.employer || '—')],
      ['工作地', `${esc(a.region_name || '')} <span class="muted mono">${esc(a.region_code)}</span>`],
      ['行业', `${esc(a.industry_name || '')} <span class="muted mono">${esc(a.industry_code)}</span>`],
      ['声明', a.declaration && a.constitution ? '以工资收入为主要生活来源；承认工会章程' : '—'],
      ['个人信息同意', `${esc(a.consent_version)} · ${fmtTime(a.consent_at)}`],
      ['受理单位', esc(a.federation.name)], ['提交时间', fmtTime(a.submitted_at)],
      ['审核期限', `${esc(a.due_on || '')}（15个工作日，不含周末；未计法定节假日）`],
      a.member_no && ['会员号', `<span class="mono">${esc(a.member_no)}</span>`],
      a.reason && ['原因/补正要求', esc(a.reason)],
    ])}
    <h3>分配说明</h3><p class="explain">${esc(a.explanation || '')}</p>
    ${a.transfers?.length ? `<h3>转办记录</h3><ul class="timeline">${a.transfers.map(t =>
      `<li>${fmtTime(t.created_at)} · ${esc(t.reason)}</li>`).join('')}</ul>` : ''}
    <h3>办理记录</h3><ul class="timeline">${history}</ul>
    ${open ? `<div class="actions">
      <button type="button" class="primary" id="approve">批准入会</button>
      <button type="button" id="correct">要求补正</button>
      <button type="button" id="reject">不予通过</button>
      <button type="button" id="transfer">转办</button></div>` : ''}
    ${a.status === 'correction' ? `<div class="actions"><button type="button" id="transfer">转办</button></div>` : ''}
    <div id="action-form"></div>`;
  wireReveal(detail, `/api/applications/${id}/id-number`);
  const done = async (message) => { flash(message); await reload(); await reopen(); };
  detail.querySelector('#approve')?.addEventListener('click', async () => {
    if (!confirm(`批准 ${a.name} 入会？将分配会员号并通知申请人。`)) return;
    try {
      const r = await api(`/api/applications/${id}/approve`, { method: 'POST' });
      await done(`已批准，会员号 ${r.member_no}`);
    } catch (err) { flash(err.message, 'error'); }
  });
  detail.querySelector('#correct')?.addEventListener('click', () => actionForm(detail, {
    id: 'correct-form', label: '要求补正', body: reasonField('需要申请人补正的内容（申请人可见）'),
    submit: async box => {
      await api(`/api/applications/${id}/correction`, { method: 'POST', body: { reason: box.querySelector('textarea').value } });
      await done('已通知申请人补正');
    },
  }));
  detail.querySelector('#reject')?.addEventListener('click', () => actionForm(detail, {
    id: 'reject-form', label: '不予通过', danger: true, body: reasonField('不予通过的原因（申请人可见）'),
    submit: async box => {
      await api(`/api/applications/${id}/reject`, { method: 'POST', body: { reason: box.querySelector('textarea').value } });
      await done('已不予通过，并通知申请人');
    },
  }));
  detail.querySelector('#transfer')?.addEventListener('click', async () => actionForm(detail, {
    id: 'transfer-form', label: '转办',
    body: `<select name="to">${await federationOptions(a.federation.id)}</select>${reasonField('转办原因')}`,
    submit: async box => {
      const to = box.querySelector('select').value;
      await api(`/api/applications/${id}/transfer`, { method: 'POST',
        body: { to_federation_id: to ? Number(to) : null, reason: box.querySelector('textarea').value } });
      flash('已转办');
      detail.innerHTML = '<p class="muted">申请已转办。</p>';
      await reload();
    },
  }));
}

// --- members -----------------------------------------------------------------------------------
export async function showMember(id, { staff, detail, reload, reopen }) {
  const m = await api(`/api/members/${id}`);
  const holder = m.viewer_holds && m.status !== 'withdrawn';
  const incoming = m.status === 'transferring' && m.transfer_to;

  detail.innerHTML = `<h2>会员 <span class="mono">${esc(m.member_no)}</span> <span class="tag">${esc(m.status_label)}</span></h2>
    ${kv([
      ['姓名', esc(m.name || '（已删除）')], ['身份证号', idLine(m.id_masked, staff.may_view_id, 'member')],
      ['手机', `<span class="mono">${esc(m.phone_masked || '')}</span>`], ['所属', esc(m.federation.name)],
      ['入会时间', fmtTime(m.joined_at)],
      m.retained_reason_label && ['保留会籍', esc(m.retained_reason_label)],
      incoming && ['转会', `转入 ${esc(m.transfer_to.name)}；原因：${esc(m.transfer_reason || '')}；
        ${m.transfer_released_at ? '原会已于 ' + fmtTime(m.transfer_released_at) + ' 同意转出，待接收方确认' : '待原会同意转出'}`],
      m.withdrawn_at && ['退会时间', fmtTime(m.withdrawn_at)],
    ])}
    <div class="actions">
      ${holder && m.status === 'active' ? '<button type="button" id="m-transfer">办理转会</button><button type="button" id="m-retain">保留会籍</button>' : ''}
      ${incoming && holder && !m.transfer_released_at ? '<button type="button" class="primary" id="m-release">同意转出</button>' : ''}
      ${incoming && m.viewer_receives && m.transfer_released_at ? '<button type="button" class="primary" id="m-accept">接收转入</button>' : ''}
      ${incoming ? '<button type="button" id="m-decline">不同意/取消转会</button>' : ''}
      ${holder && m.status === 'retained' ? '<button type="button" id="m-reactivate">恢复正常会籍</button>' : ''}
      ${holder ? '<button type="button" id="m-withdraw">办理退会</button>' : ''}
    </div><div id="action-form"></div>`;
  wireReveal(detail, `/api/members/${id}/id-number`);
  const post = async (path, body, message) => {
    await api(`/api/members/${id}/${path}`, { method: 'POST', body });
    flash(message);
    await reload();
    try { await reopen(); } catch { detail.innerHTML = `<p class="muted">${esc(message)}</p>`; }
  };
  const guard = fn => async () => { try { await fn(); } catch (err) { flash(err.message, 'error'); } };
  detail.querySelector('#m-release')?.addEventListener('click', guard(() => post('release', {}, '已同意转出')));
  detail.querySelector('#m-accept')?.addEventListener('click', guard(() => post('accept', {}, '已接收转入')));
  detail.querySelector('#m-reactivate')?.addEventListener('click', guard(() => post('reactivate', {}, '已恢复正常会籍')));
  detail.querySelector('#m-decline')?.addEventListener('click', () => actionForm(detail, {
    id: 'decline-form', label: '取消转会', body: reasonField('原因（会员可见）'),
    submit: box => post('cancel-transfer', { reason: box.querySelector('textarea').value }, '已取消转会'),
  }));
  detail.querySelector('#m-transfer')?.addEventListener('click', async () => actionForm(detail, {
    id: 'm-transfer-form', label: '办理转会',
    body: `<select name="to">${await federationOptions(m.federation.id)}</select>${reasonField('转会原因')}`,
    submit: box => post('transfer', { to_federation_id: Number(box.querySelector('select').value) || null,
      reason: box.querySelector('textarea').value }, '已发起转会'),
  }));
  detail.querySelector('#m-retain')?.addEventListener('click', () => actionForm(detail, {
    id: 'retain-form', label: '保留会籍',
    body: '<select name="reason"><option value="retired">退休</option><option value="unemployed">失业</option></select>',
    submit: box => post('retain', { reason: box.querySelector('select').value }, '已保留会籍'),
  }));
  detail.querySelector('#m-withdraw')?.addEventListener('click', () => actionForm(detail, {
    id: 'withdraw-form', label: '办理退会', danger: true, body: reasonField('退会原因（会员可见）'),
    submit: box => post('withdraw', { reason: box.querySelector('textarea').value }, '已办理退会'),
  }));
}
