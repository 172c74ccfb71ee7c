// 员工账号 (admins): create accounts; change a colleague's role or deactivate them, each after a
// confirmation naming the person and the change; reset a password; end a WeChat binding (staff
// bind their own WeChat by scanning a QR code in 我的账号).
import { api, esc, flash, fmtTime } from '/console/lib/api.js';
import { confirmDialog } from '/console/lib/confirm.js';
import { mountLayout } from '/console/lib/layout.js';

const me = await mountLayout('staff');
const ROLES = { admin: '管理员', chair: '主席', caseworker: '办事员' };
const form = document.getElementById('create');
const rows = document.getElementById('rows');
let people = new Map();

const who = s => `<b>${esc(s.display_name || s.username)}</b>（${esc(s.username)}，${esc(s.federation_name)}）`;
const errorText = err => Object.values(err.fields || {}).join('；') || err.message;
// One message at a time: flash() stacks them in the same corner.
function say(message, kind) {
  document.querySelectorAll('.flash').forEach(el => el.remove());
  flash(message, kind);
}

function row(s) {
  const self = s.id === me.id;
  const wechat = s.wechat_linked
    ? `已绑定${self ? '' : ' <button type="button" class="link" data-act="unbind">解除</button>'}`
    : '<span class="muted">未绑定</span>';
  return `<tr data-id="${s.id}">
    <td>${esc(s.username)}</td><td>${esc(s.display_name)}</td><td>${esc(s.federation_name)}</td>
    <td><select class="role" ${self ? 'disabled' : ''} aria-label="${esc(s.display_name || s.username)}的角色">${Object.entries(ROLES).map(([k, v]) =>
      `<option value="${k}" ${k === s.role ? 'selected' : ''}>${v}</option>`).join('')}</select></td>
    <td>${s.active ? '<span class="tag green">正常</span>' : '<span class="tag">已停用</span>'} ${s.locked ? '<span class="tag red">已锁定</span>' : ''}</td>
    <td>${wechat}</td>
    <td>${fmtTime(s.last_login_at) || '<span class="muted">从未</span>'}</td>
    <td>${self ? '<span class="muted">本人</span>' : `
      <button type="button" class="link" data-act="password">重置密码</button>
      <button type="button" class="link" data-act="${s.active ? 'deactivate' : 'activate'}">${s.active ? '停用' : '启用'}</button>`}</td></tr>`;
}

async function load() {
  const list = await api('/api/staff');
  people = new Map(list.map(s => [String(s.id), s]));
  rows.innerHTML = list.map(row).join('');
}

// What the new role changes, in a sentence (the pages an admin has that others have not).
function roleEffect(from, to) {
  if (to === 'admin') return '管理员可以管理员工账号、联合会和审计日志。';
  if (from === 'admin') return '改后将不能再管理员工账号、联合会和审计日志。';
  return '';
}

rows.addEventListener('change', async e => {
  if (!e.target.classList.contains('role')) return;
  const select = e.target;
  const person = people.get(select.closest('tr').dataset.id);
  const from = person.role;
  const to = select.value;
  const ok = await confirmDialog({
    title: '修改角色',
    lines: [`将 ${who(person)} 的角色由 <b>${ROLES[from]}</b> 改为 <b>${ROLES[to]}</b>？`,
      roleEffect(from, to), '修改立即生效，并记入审计日志。'].filter(Boolean),
    okText: `改为${ROLES[to]}`,
  });
  if (!ok) { select.value = from; return; }
  try {
    await api(`/api/staff/${person.id}`, { method: 'PATCH', body: { role: to } });
    person.role = to;
    say(`已将${person.display_name || person.username}的角色改为${ROLES[to]}`);
  } catch (err) {
    select.value = from;
    say(errorText(err), 'error');
  }
});

async function act(person, action) {
  if (action === 'unbind') {
    const ok = await confirmDialog({ title: '解除微信提醒', okText: '解除',
      lines: [`解除 ${who(person)} 绑定的微信？`, '解除后超期提醒等消息不再发到其微信；本人可在“我的账号”扫码重新绑定。'] });
    if (!ok) return;
    await api(`/api/staff/${person.id}`, { method: 'PATCH', body: { openid: '' } });
    say('已解除微信提醒');
  } else if (action === 'password') {
    const password = prompt(`请输入${person.display_name || person.username}的新密码（至少8位），并当面或电话告知本人：`);
    if (!password) return;
    await api(`/api/staff/${person.id}/password`, { method: 'POST', body: { password } });
    say('密码已重置，锁定已解除');
  } else if (action === 'deactivate') {
    const ok = await confirmDialog({ title: '停用账号', okText: '确认停用',
      lines: [`停用 ${who(person)} 的账号？`,
        '停用后该账号不能登录，已登录的页面立即退出；其承办中的诉求回到“未分派”，需要重新分派。', '以后可以重新启用。'] });
    if (!ok) return;
    await api(`/api/staff/${person.id}/deactivate`, { method: 'POST' });
    say('已停用');
  } else {
    await api(`/api/staff/${person.id}/activate`, { method: 'POST' });
    say('已启用');
  }
  await load();
}

rows.addEventListener('click', async e => {
  const action = e.target.dataset.act;
  if (!action) return;
  try { await act(people.get(e.target.closest('tr').dataset.id), action); }
  catch (err) { say(errorText(err), 'error'); }
});

form.addEventListener('submit', async e => {
  e.preventDefault();
  document.getElementById('create-error').textContent = '';
  try {
    await api('/api/staff', { method: 'POST', body: { username: form.username.value, display_name: form.display_name.value || null,
      password: form.password.value, federation_id: Number(form.federation_id.value), role: form.role.value } });
    form.reset();
    say('账号已创建');
    await load();
  } catch (err) {
    document.getElementById('create-error').textContent = errorText(err);
  }
});

if (me.role !== 'admin') {
  document.querySelector('main').innerHTML = '<div class="card empty">只有管理员可以管理员工账号</div>';
} else {
  const nodes = await api('/api/inbox/federations');
  form.federation_id.innerHTML = nodes.map(n => `<option value="${n.id}">${esc(n.name)}</option>`).join('');
  await load();
  document.body.dataset.ready = '1';
}
