// 我的个人信息: what the union holds about the worker, a JSON copy, a deletion request with the
// reasons it has to wait (an open case, a live membership, …).
import { api } from '../lib/api.js';
import { $, esc, toast } from '../lib/ui.js';

const cell = (label, value) => value ? `<div class="weui-cell"><div class="weui-cell__bd">${esc(label)}</div>
  <div class="weui-cell__ft">${esc(value)}</div></div>` : '';
const group = (title, html) => html ? `<div class="weui-cells__title">${esc(title)}</div><div class="weui-cells">${html}</div>` : '';
const erased = item => item.erased ? '（已删除）' : '';

function render(data) {
  const p = data.profile;
  const profile = p.erased ? cell('状态', '您的个人信息已删除')
    : cell('姓名', p.name) + cell('身份证号', p.id_masked) + cell('手机号', p.phone_masked) + cell('性别', p.gender);
  const memberships = data.memberships.map(m => cell(`${m.federation} · ${m.member_no}`, m.status)).join('');
  const applications = data.applications.map(a => cell(`入会申请 · ${a.federation}`, a.status + erased(a))).join('');
  const requests = data.help_requests.map(r => cell(`${r.type} · ${r.number}`, r.status + erased(r))).join('');
  const signups = data.signups.map(s => cell(s.contest, s.status + erased(s))).join('');
  const holds = data.holds.length ? `<div class="weui-cells__title">暂不能删除的原因</div>
    <div class="weui-cells">${data.holds.map(h => `<div class="weui-cell"><div class="weui-cell__bd">
    <p class="weui-cell__desc">${esc(h)}</p></div></div>`).join('')}</div>` : '';
  const last = data.requests[0];
  const status = last ? `<div class="weui-cells__tips" id="request-status">删除申请：${esc(last.status_label)}
    ${last.held_because.length ? '（条件满足后将自动删除）' : ''}</div>` : '';
  $('#content').innerHTML = group('基本信息', profile || cell('状态', '尚未登记个人信息')) + group('会籍', memberships)
    + group('入会申请', applications) + group('求助', requests) + group('竞赛报名', signups) + holds + status;
  $('#delete').disabled = last?.status === 'pending' || p.erased;
}

async function load() {
  render(await api('/api/my-data'));
}

$('#delete').addEventListener('click', async () => {
  if (!confirm('确定申请删除您的个人信息吗？删除后无法恢复。')) return;
  try {
    const result = await api('/api/my-data/deletion', { method: 'POST' });
    toast(result.status === 'done' ? '已删除' : '已登记，条件满足后自动删除');
  } catch (err) {
    toast(err.message);
  }
  await load();
});

load();
