// One contest: details, the worker's eligibility and sign-up, the sign-up form, cancel.
import { api, qs } from '/h5/lib/api.js';
import { $, esc, loading, showFieldErrors, toast } from '/h5/lib/ui.js';
import { REGISTRATION, placesText, when, whenFull } from '/h5/js/contest-format.js';

const id = qs('id');
let contest = null;

function row(label, value) {
  return value ? `<div class="weui-form-preview__item"><label class="weui-form-preview__label">${label}</label>
    <span class="weui-form-preview__value">${value}</span></div>` : '';
}

// The venue: a service position links to its page (details, opening hours, navigation).
function venueHtml(c) {
  const p = c.venue_position;
  if (!p) return esc(c.venue);
  const name = `<span class="venue-name">${esc(p.name)}</span>`;
  const state = p.status === 'open' ? '' : `<span class="venue-state">${esc(p.status_label)}${p.status_note ? '：' + esc(p.status_note) : ''}</span>`;
  return `${name}${c.venue ? ' ' + esc(c.venue) : ''}\n<span class="venue-address">${esc(p.address)}</span>${state}`
    + (p.url ? `\n<a class="venue-link" href="${esc(p.url)}">查看地点和导航 ›</a>` : '');
}

function statusCard(c) {
  const m = c.mine;
  if (!m) return '';
  const states = {
    confirmed: ['报名成功', m.checked_in ? '您已签到，祝您取得好成绩！' : `请于${whenFull(c.starts_at)}准时到场签到（出示会员卡二维码或报姓名）`],
    waitlisted: [`候补第 ${m.position} 位`, '名额已满，有人取消时将按顺序自动递补，并在微信中通知您'],
    cancelled: ['已取消报名', c.registration === 'open' && c.eligible ? '如需参加，可重新报名（将排在候补末尾）' : ''],
    removed: ['已被移出名单', m.reason ? `原因：${m.reason}` : ''],
  };
  const [title, desc] = states[m.status];
  const r = m.result;
  const result = r ? `<p class="status-card__result">${[r.score != null ? `成绩 ${r.score} 分` : '', r.rank ? `第 ${r.rank} 名` : '',
    r.award || ''].filter(Boolean).join(' · ') || '感谢参赛'}</p>` : '';
  return `<div class="status-card"><p class="status-card__state status-card__state_${m.status}">${esc(title)}</p>
    ${desc ? `<p class="status-card__desc">${esc(desc)}</p>` : ''}${result}</div>`;
}

function notice(c) {
  if (c.registration === 'cancelled') return `<div class="notice notice_warn">竞赛已取消${c.cancel_reason ? '：' + esc(c.cancel_reason) : ''}</div>`;
  if (c.mine && ['confirmed', 'waitlisted'].includes(c.mine.status)) return '';
  if (c.eligible) return '';
  const join = c.reason.includes('入会') ? '<a href="/h5/join.html">申请入会</a>' : '';
  return `<div class="notice notice_warn" role="alert">${esc(c.reason)}${join}</div>`;
}

function questionField(q) {
  const label = `${esc(q.label)}`;
  const error = `<div class="field-error" data-error-for="answers.${q.key}" hidden></div>`;
  if (q.kind === 'text') {
    return `<label class="choice-title ${q.required ? 'required' : ''}" for="q-${q.key}">${label}</label>
    <div class="weui-cells weui-cells_form"><div class="weui-cell weui-cell_active">
      <div class="weui-cell__bd"><input class="weui-input" id="q-${q.key}" name="q:${q.key}" maxlength="500" placeholder="请填写"></div>
    </div></div>${error}`;
  }
  const type = q.kind === 'single' ? 'radio' : 'checkbox';
  const options = q.options.map((o, n) => {
    const inputId = `q-${q.key}-${n}`;
    const input = `<input type="${type}" class="weui-check" name="q:${q.key}" value="${esc(o)}" id="${inputId}"><i class="weui-icon-checked"></i>`;
    return type === 'radio'
      ? `<label class="weui-cell weui-cell_active weui-check__label" for="${inputId}"><div class="weui-cell__bd"><p>${esc(o)}</p></div><div class="weui-cell__ft">${input}</div></label>`
      : `<label class="weui-cell weui-cell_active weui-check__label" for="${inputId}"><div class="weui-cell__hd">${input}</div><div class="weui-cell__bd"><p>${esc(o)}</p></div></label>`;
  }).join('');
  return `<div class="choice-title ${q.required ? 'required' : ''}">${label}${type === 'checkbox' ? '（可多选）' : ''}</div>
    <div class="weui-cells weui-cells_${type}">${options}</div>${error}`;
}

function form(c) {
  const active = c.mine && ['confirmed', 'waitlisted'].includes(c.mine.status);
  if (active || c.registration !== 'open' || !c.eligible) return '';
  const birth = c.needs_birth_date ? `<div class="weui-cell weui-cell_active">
      <div class="weui-cell__hd"><label class="weui-label required" for="birth_date">出生日期</label></div>
      <div class="weui-cell__bd"><input class="weui-input" type="date" id="birth_date" name="birth_date"></div></div>
      <div class="field-error" data-error-for="birth_date" hidden></div>` : '';
  const full = c.places_left === 0;
  return `<form id="signup" novalidate>
    <div class="weui-cells__title">报名信息</div>
    <div class="weui-cells weui-cells_form">
      <div class="weui-cell weui-cell_active">
        <div class="weui-cell__hd"><label class="weui-label required" for="name">姓名</label></div>
        <div class="weui-cell__bd"><input class="weui-input" id="name" name="name" maxlength="50" value="${esc(c.prefill.name)}" placeholder="请填写真实姓名"></div>
      </div>
      <div class="field-error" data-error-for="name" hidden></div>
      <div class="weui-cell weui-cell_active">
        <div class="weui-cell__hd"><label class="weui-label required" for="phone">手机号</label></div>
        <div class="weui-cell__bd"><input class="weui-input" id="phone" name="phone" type="tel" maxlength="11" inputmode="numeric" value="${esc(c.prefill.phone)}" placeholder="用于联系和签到"></div>
      </div>
      <div class="field-error" data-error-for="phone" hidden></div>
      ${birth}
    </div>
    ${c.questions.length ? '<div class="weui-cells__title">附加问题</div>' + c.questions.map(questionField).join('') : ''}
    <div class="form-actions">
      <button type="submit" class="weui-btn weui-btn_primary">${full ? '报名候补' : '提交报名'}</button>
      <p class="form-tip">${full ? '名额已满，提交后将进入候补名单，有名额时按顺序递补' : `剩余名额 ${c.places_left} 个，先报先得`}</p>
    </div>
  </form>`;
}

function render(c) {
  const [label, cls] = REGISTRATION[c.registration];
  const m = c.mine;
  const cancel = m && m.can_cancel
    ? `<div class="form-actions"><button type="button" class="weui-btn weui-btn_default" id="cancel">取消报名</button>
       <p class="form-tip">取消截止：${whenFull(c.cancel_cutoff_at)}</p></div>` : '';
  $('#page').innerHTML = `
    <div class="page__hd">
      <h1 class="page__title"><span class="contest-tag ${cls}">${label}</span>${esc(c.title)}</h1>
      <p class="page__desc">${esc(c.federation_name)}${c.trade ? ' · ' + esc(c.trade) : ''}</p>
    </div>
    ${statusCard(c)}${notice(c)}
    <div class="weui-form-preview info">
      <div class="weui-form-preview__bd">
        ${row('比赛时间', esc(whenFull(c.starts_at)) + (c.ends_at ? ' 至 ' + esc(when(c.ends_at)) : ''))}
        ${row('比赛地点', venueHtml(c))}
        ${row('报名时间', `${esc(when(c.registration_opens_at))} 至 ${esc(when(c.registration_closes_at))}`)}
        ${row('名额', esc(placesText(c)))}
        ${row('参赛对象', esc(c.scope_text) + (c.age_text ? '；' + esc(c.age_text) : ''))}
        ${row('不参赛情形', esc(c.exclusions))}
        ${row('评分方式', esc(c.scoring_note))}
        ${row('取消截止', esc(whenFull(c.cancel_cutoff_at)))}
      </div>
    </div>
    ${c.description ? `<div class="article"><h2>竞赛说明</h2>${esc(c.description)}</div>` : ''}
    ${form(c)}${cancel}
    <div class="form-actions"><a class="weui-btn weui-btn_default" href="/h5/contests.html">返回竞赛列表</a></div>`;
  document.title = c.title;
  $('#signup')?.addEventListener('submit', submit);
  $('#cancel')?.addEventListener('click', confirmCancel);
}

function collect(f) {
  const answers = {};
  for (const q of contest.questions) {
    const inputs = [...f.querySelectorAll(`[name="q:${CSS.escape(q.key)}"]`)];
    if (q.kind === 'text') answers[q.key] = inputs[0].value.trim();
    else if (q.kind === 'single') { const on = inputs.find(i => i.checked); if (on) answers[q.key] = on.value; }
    else answers[q.key] = inputs.filter(i => i.checked).map(i => i.value);
  }
  const body = { name: f.name.value.trim(), phone: f.phone.value.trim(), answers };
  if (f.birth_date) body.birth_date = f.birth_date.value || null;
  return body;
}

async function submit(e) {
  e.preventDefault();
  const f = e.currentTarget;
  const button = f.querySelector('button[type=submit]');
  button.disabled = true;
  loading(true, '提交中');
  try {
    contest = await api(`/api/contests/${id}/signup`, { method: 'POST', body: collect(f) });
    render(contest);
    window.scrollTo(0, 0);
    toast(contest.mine.status === 'confirmed' ? '报名成功' : `已进入候补第${contest.mine.position}位`);
  } catch (err) {
    showFieldErrors(f, err.fields);
    toast(err.message);
  } finally {
    loading(false);
    button.disabled = false;
  }
}

function confirmCancel() {
  const box = document.createElement('div');
  box.innerHTML = `<div class="weui-mask"></div><div class="weui-dialog" role="dialog" aria-modal="true">
    <div class="weui-dialog__hd"><strong class="weui-dialog__title">确定取消报名？</strong></div>
    <div class="weui-dialog__bd">取消后名额将自动让给候补人员${contest.mine.status === 'confirmed' ? '，再次报名需重新排队' : ''}。</div>
    <div class="weui-dialog__ft"><a href="javascript:" class="weui-dialog__btn weui-dialog__btn_default" data-no>再想想</a>
    <a href="javascript:" class="weui-dialog__btn weui-dialog__btn_primary" data-yes>确定取消</a></div></div>`;
  document.body.appendChild(box);
  box.querySelector('[data-no]').onclick = () => box.remove();
  box.querySelector('[data-yes]').onclick = async () => {
    box.remove();
    loading(true);
    try {
      contest = await api(`/api/contests/${id}/cancel`, { method: 'POST' });
      render(contest);
      toast('已取消报名');
    } catch (err) {
      toast(err.message);
    } finally {
      loading(false);
    }
  };
}

(async () => {
  if (!id) { location.replace('/h5/contests.html'); return; }
  loading(true);
  try {
    contest = await api(`/api/contests/${id}`);
    render(contest);
  } catch (err) {
    $('#page').innerHTML = `<div class="weui-msg"><div class="weui-msg__icon-area"><i class="weui-icon-warn weui-icon_msg"></i></div>
      <div class="weui-msg__text-area"><h2 class="weui-msg__title">${esc(err.message)}</h2></div>
      <div class="weui-msg__opr-area"><a class="weui-btn weui-btn_default" href="/h5/contests.html">查看其他竞赛</a></div></div>`;
  } finally {
    loading(false);
  }
})();
