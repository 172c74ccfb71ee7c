// 我的: the member card (or the application's state and decision date), requests, contest sign-ups.
import { api } from '/h5/lib/api.js';
import { $, esc } from '/h5/lib/ui.js';
import { badge, fmtDate } from '/h5/js/requests-common.js';

const cell = (href, title, lines) => `
  <a class="weui-cell weui-cell_access" href="${href}">
    <div class="weui-cell__bd"><p>${title}</p>${lines.filter(Boolean).map(l => `<p class="weui-cell__desc">${l}</p>`).join('')}</div>
    <div class="weui-cell__ft"></div>
  </a>`;

function membershipCell(context) {
  const m = context.membership;
  const a = context.application;
  if (m) {
    return cell('/h5/card.html', `电子会员卡 <span class="status-badge">${esc(m.status_label || '会员')}</span>`,
      [`${esc(m.federation?.name || m.federation_name || '')}`, m.member_no ? `会员编号 ${esc(m.member_no)}` : '']);
  }
  if (a && ['pending', 'correction'].includes(a.status)) {
    return cell('/h5/join.html', `入会申请 <span class="status-badge waiting">${esc(a.status_label)}</span>`,
      [`${esc(a.federation?.name || '')}`, `${fmtDate(a.submitted_at)}提交`,
        a.due_on ? `<strong id="decision-date">将于${esc(a.due_on)}前作出决定</strong>` : '',
        a.reason ? `需要补正：${esc(a.reason)}` : '']);
  }
  if (a && a.status === 'rejected') {
    return cell('/h5/join.html', `入会申请 <span class="status-badge done">${esc(a.status_label)}</span>`,
      [a.reason ? `原因：${esc(a.reason)}` : '', '可修改后重新申请']);
  }
  return cell('/h5/join.html', '您还不是工会会员，申请入会', ['入会后可享受会员服务，申请通过后这里显示电子会员卡']);
}

const [context, requests, signups] = await Promise.all([
  api('/api/join/context'), api('/api/requests'), api('/api/contests/mine').catch(() => []),
]);
$('#membership').innerHTML = membershipCell(context);
$('#requests').innerHTML = requests.length ? `<div class="weui-cells">${requests.map(r => cell(
  `/h5/request.html?id=${r.id}`, `${esc(r.type_label)} ${badge(r)}`,
  [`编号 ${esc(r.number)} · ${fmtDate(r.created_at)}提交`, esc(r.federation_name),
    r.due_at ? `${r.due_kind === 'first_response' ? '答复期限' : '办理期限'}：${fmtDate(r.due_at)}` : ''])).join('')}</div>`
  : '<div class="empty">您还没有提交过求助</div>';
$('#signups').innerHTML = signups.length ? `<div class="weui-cells">${signups.map(c => cell(
  `/h5/contest.html?id=${c.id}`, `${esc(c.title)} <span class="status-badge">${esc(c.mine.status_label)}</span>`,
  [esc(c.federation_name), c.starts_at ? `比赛时间 ${fmtDate(c.starts_at, true)}` : '',
    c.mine.position ? `候补第${c.mine.position}位` : ''])).join('')}</div>`
  : '<div class="empty">还没有报名竞赛　<a href="/h5/contests.html">去看看</a></div>';
