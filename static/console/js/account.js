// 我的账号: bind one's own WeChat for alerts by scanning a temporary QR code.
import { api, esc, flash } from '/console/lib/api.js';
import { mountLayout } from '/console/lib/layout.js';

await mountLayout('account');
const $ = sel => document.querySelector(sel);
let watching = null;

function showState(bound) {
  $('#bind-state').innerHTML = bound ? '<span class="tag green" id="bound">已绑定微信</span>' : '尚未绑定微信';
}

showState((await api('/api/me/wechat')).bound);
$('#make-qr').addEventListener('click', async () => {
  $('#bind-error').textContent = '';
  try {
    const qr = await api('/api/me/wechat-qr', { method: 'POST' });
    $('#qr-img').src = qr.image_url;
    $('#qr-note').textContent = `请在${Math.round(qr.expires_in / 60)}分钟内用微信扫码；绑定后此页会自动更新。`;
    $('#qr').hidden = false;
    clearInterval(watching);
    const was = qr.bound;
    watching = setInterval(async () => {
      const state = await api('/api/me/wechat').catch(() => null);
      if (state && state.bound && !was) { clearInterval(watching); $('#qr').hidden = true; showState(true); }
    }, 3000);
  } catch (err) { $('#bind-error').textContent = esc(err.message); }
});

$('#password-form').addEventListener('submit', async e => {
  e.preventDefault();
  document.querySelectorAll('[data-error-for]').forEach(el => { el.textContent = ''; });
  try {
    await api('/api/me/password', { method: 'POST', body: { current: $('#current').value, new: $('#new').value } });
    e.target.reset();
    flash('密码已修改');
  } catch (err) {
    const fields = err.fields || {};
    if (!Object.keys(fields).length) $('[data-error-for=new]').textContent = err.message;
    for (const [key, message] of Object.entries(fields)) {
      const box = document.querySelector(`[data-error-for=${key}]`);
      if (box) box.textContent = message;
    }
  }
});
