// The console frame: top bar with the signed-in staff member and the navigation.
// Every page calls `await mountLayout('inbox')` first; it answers the session's staff.
import { api, esc, session } from './api.js';

export const NAV = [
  ['inbox', '诉求收件箱', '/console/inbox.html'],
  ['members', '入会审核', '/console/members.html'],
  ['contests', '技能竞赛', '/console/contests.html'],
  ['stats', '统计', '/console/stats.html'],
  ['positions', '服务阵地', '/console/positions.html'],
  ['governance', '治理', '/console/governance.html'],
  ['outbox', '发送失败', '/console/outbox.html'],
  ['federations', '联合会管理', '/console/federations.html', ['admin']],
  ['staff', '员工账号', '/console/staff.html', ['admin']],
  ['audit', '审计日志', '/console/audit.html', ['admin']],
];

export async function mountLayout(active) {
  const { staff } = await session();
  if (!staff) {
    location.replace('/console/login.html?next=' + encodeURIComponent(location.pathname + location.search));
    return new Promise(() => {});
  }
  const links = NAV.filter(([, , , roles]) => !roles || roles.includes(staff.role))
    .map(([key, label, href]) => `<a href="${href}" class="${key === active ? 'active' : ''}">${label}</a>`).join('');
  const bar = document.createElement('header');
  bar.className = 'topbar';
  bar.innerHTML = `<div class="brand">工联 · 工作台</div><nav>${links}</nav>
    <div class="who">${esc(staff.display_name)}（${esc(staff.federation_name)}）
    <button type="button" class="link" id="logout">退出</button></div>`;
  document.body.prepend(bar);
  bar.querySelector('#logout').addEventListener('click', async () => {
    await api('/api/auth/logout', { method: 'POST' });
    location.replace('/console/login.html');
  });
  return staff;
}
