// 会员卡核验 (public): the result of a member card's QR code — valid or not, the federation,
// the surname only.
import { esc } from '../lib/ui.js';

const box = document.getElementById('result');
const token = new URLSearchParams(location.search).get('t') || '';

function fmtTime(iso) {
  const d = new Date(iso.endsWith('Z') ? iso : iso + 'Z');
  const pad = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function run() {
  let data;
  try {
    const res = await fetch('/api/verify?t=' + encodeURIComponent(token), { headers: { Accept: 'application/json' } });
    data = await res.json();
  } catch (e) {
    box.innerHTML = '<p class="weui-msg__desc">网络连接失败，请稍后再试</p>';
    return;
  }
  const rows = data.valid
    ? `<dl><dt>姓名</dt><dd>${esc(data.name)}</dd><dt>所属</dt><dd>${esc(data.federation)}</dd>
       <dt>会籍</dt><dd>${esc(data.status_label)}</dd><dt>入会年份</dt><dd>${esc(data.joined_year)}年</dd>
       <dt>核验时间</dt><dd>${fmtTime(data.checked_at)}</dd></dl>`
    : `<p class="weui-msg__desc">核验时间：${fmtTime(data.checked_at)}</p>`;
  box.innerHTML = `<div class="weui-msg__icon-area"><i class="${data.valid ? 'weui-icon-success' : 'weui-icon-warn'} weui-icon_msg"></i></div>
    <div class="weui-msg__text-area"><h2 class="weui-msg__title">${data.valid ? '有效会员' : '核验未通过'}</h2>
    ${data.valid ? '' : `<p class="weui-msg__desc">${esc(data.message)}</p>`}${rows}</div>`;
  box.dataset.valid = String(!!data.valid);
}

run();
