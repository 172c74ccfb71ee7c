// 竞赛 list: contests taking sign-ups and the worker's own sign-ups.
import { api } from '/h5/lib/api.js';
import { $, esc, loading, toast } from '/h5/lib/ui.js';
import { REGISTRATION, mineText, placesText, venueText, when } from '/h5/js/contest-format.js';

let contests = [];
let tab = new URLSearchParams(location.search).get('tab') === 'mine' ? 'mine' : 'open';

function item(c) {
  const [label, cls] = REGISTRATION[c.registration];
  const mine = c.mine ? `<span class="contest-mine contest-mine_${c.mine.status}">${esc(mineText(c.mine))}</span>` : '';
  const reason = !c.mine && !c.eligible && c.registration === 'open'
    ? `<p class="contest-reason">${esc(c.reason)}</p>` : '';
  return `<a class="weui-media-box weui-media-box_text" href="/h5/contest.html?id=${c.id}">
    <h4 class="weui-media-box__title"><span class="contest-tag ${cls}">${label}</span>${esc(c.title)}</h4>
    <p class="weui-media-box__desc">${esc(c.federation_name)}${c.trade ? ' · ' + esc(c.trade) : ''}</p>
    <p class="weui-media-box__desc">比赛：${when(c.starts_at, { weekday: true })}　${esc(venueText(c))}</p>
    <ul class="weui-media-box__info">
      <li class="weui-media-box__info__meta">报名截止 ${when(c.registration_closes_at)}</li>
      <li class="weui-media-box__info__meta weui-media-box__info__meta_extra">${esc(placesText(c))}</li>
    </ul>
    ${reason}${mine}
  </a>`;
}

function render() {
  document.querySelectorAll('.contest-tabs .weui-navbar__item').forEach(el => {
    el.classList.toggle('weui-bar__item_on', el.dataset.tab === tab);
    el.setAttribute('aria-selected', el.dataset.tab === tab);
  });
  const shown = tab === 'mine' ? contests.filter(c => c.mine)
    : contests.filter(c => ['open', 'not_open', 'closed'].includes(c.registration));
  const empty = tab === 'mine' ? '您还没有报名任何竞赛' : '暂无正在报名的竞赛，敬请关注';
  $('#list').innerHTML = shown.length
    ? `<div class="weui-panel weui-panel_access"><div class="weui-panel__bd">${shown.map(item).join('')}</div></div>`
    : `<div class="weui-loadmore weui-loadmore_line"><span class="weui-loadmore__tips">${empty}</span></div>`;
}

document.querySelector('.contest-tabs').addEventListener('click', (e) => {
  const button = e.target.closest('[data-tab]');
  if (!button) return;
  tab = button.dataset.tab;
  history.replaceState(null, '', tab === 'mine' ? '?tab=mine' : location.pathname);
  render();
});

(async () => {
  loading(true);
  try {
    contests = await api('/api/contests');
    render();
  } catch (err) {
    toast(err.message);
  } finally {
    loading(false);
  }
})();
