// 我的会员卡: the card, a QR code that staff scan to verify (renewed before it expires), and
// the membership changes a worker can ask for (transfer, retained, withdrawal).
import { api, ApiError } from '../lib/api.js';
import { $, esc, loading, scrollToEl, showFieldErrors, toast } from '../lib/ui.js';

let card = null;
let qrTimer = null;

function fmtDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

function renderCard() {
  const invalid = !card.valid;
  const extra = card.status === 'transferring'
    ? `<div class="member-card__row"><span>转会</span><span>转入 ${esc(card.transfer_to)}（${card.transfer_released ? '原会已同意，待接收' : '待原会同意'}）</span></div>` : '';
  $('#card').innerHTML = `<div class="member-card${invalid ? ' member-card_invalid' : ''}">
    <div class="member-card__status">${esc(card.status_label)}</div>
    <div class="member-card__org">工联 · 工会会员</div>
    <div class="member-card__title">电子会员卡</div>
    <div class="member-card__name">${esc(card.name || '')}</div>
    <div class="member-card__row"><span>会员号</span><span class="member-card__no">${esc(card.member_no)}</span></div>
    <div class="member-card__row"><span>身份证号</span><span class="member-card__no">${esc(card.id_masked || '')}</span></div>
    <div class="member-card__row"><span>所属</span><span>${esc(card.federation)}</span></div>
    <div class="member-card__row"><span>入会日期</span><span>${fmtDate(card.joined_on)}</span></div>
    ${extra}
  </div>`;
}

function renderQr() {
  clearInterval(qrTimer);
  if (!card.valid) {
    $('#qr').innerHTML = '<div class="qr-box"><p>会员卡已失效，无法出示核验二维码。</p><p><a href="/h5/join.html">重新申请入会</a></p></div>';
    return;
  }
  const minutes = Math.round(card.qr_max_age / 60);
  const load = () => { $('#qr-img').src = '/api/card/qr.svg?ts=' + Date.now(); };
  $('#qr').innerHTML = `<div class="qr-box"><img id="qr-img" alt="会员卡核验二维码">
    <p>请工作人员扫码核验 · 二维码${minutes}分钟内有效，页面会自动更新</p></div>`;
  load();
  qrTimer = setInterval(load, Math.max(30, card.qr_max_age - 60) * 1000);
}

function cell(id, title, desc) {
  return `<a class="weui-cell weui-cell_active weui-cell_access" href="javascript:;" id="${id}">
    <div class="weui-cell__bd"><p>${title}</p>${desc ? `<p class="cell-sub">${desc}</p>` : ''}</div>
    <div class="weui-cell__ft"></div></a>`;
}

function renderChanges() {
  const box = $('#change-actions');
  const items = [];
  if (card.status === 'active') {
    items.push(cell('do-transfer', '申请转会', '工作地或行业变了，转到对应的工会联合会'));
    items.push(cell('do-retain', '保留会籍', '退休或失业后，保留会员身份'));
  }
  if (card.status === 'transferring') items.push(cell('do-cancel-transfer', '取消转会', ''));
  if (card.status === 'retained') items.push(cell('do-reactivate', '恢复正常会籍', '重新就业后恢复'));
  if (card.valid) items.push(cell('do-withdraw', '退会', '退出工会，会员卡随即失效'));
  box.innerHTML = items.join('');
  $('#changes').hidden = items.length === 0;
  $('#transfer-form').hidden = true;
  $('#retain-form').hidden = true;
  $('#do-transfer')?.addEventListener('click', openTransfer);
  $('#do-retain')?.addEventListener('click', () => { $('#retain-form').hidden = false; scrollToEl($('#retain-form')); });
  $('#do-cancel-transfer')?.addEventListener('click', () => change('/api/card/transfer/cancel', {}, '已取消转会'));
  $('#do-reactivate')?.addEventListener('click', () => change('/api/card/reactivate', {}, '已恢复正常会籍'));
  $('#do-withdraw')?.addEventListener('click', () => {
    if (confirm('退会后会员卡立即失效，个人信息将在保存期满后删除。确定退会吗？')) {
      change('/api/card/withdraw', { reason: '' }, '已办理退会');
    }
  });
}

async function openTransfer() {
  const form = $('#transfer-form');
  const federations = await api('/api/federations');
  form.to_federation_id.innerHTML = '<option value="">请选择要转入的工会联合会</option>' + federations
    .filter(f => f.id !== card.federation_id)
    .map(f => `<option value="${f.id}">${esc(f.name)}</option>`).join('');
  form.hidden = false;
  scrollToEl(form);
}

async function change(path, body, done, form) {
  loading(true, '正在提交');
  try {
    card = await api(path, { method: 'POST', body });
    loading(false);
    toast(done);
    render();
  } catch (err) {
    loading(false);
    if (form && err instanceof ApiError && Object.keys(err.fields).length) showFieldErrors(form, err.fields);
    toast(err.message);
  }
}

$('#transfer-form').addEventListener('submit', e => {
  e.preventDefault();
  const form = e.target;
  change('/api/card/transfer', {
    to_federation_id: form.to_federation_id.value ? Number(form.to_federation_id.value) : null,
    reason: form.reason.value,
  }, '转会申请已提交', form);
});
$('#retain-form').addEventListener('submit', e => {
  e.preventDefault();
  const form = e.target;
  change('/api/card/retain', { reason: form.reason.value || '' }, '已保留会籍', form);
});

function render() {
  renderCard();
  renderQr();
  renderChanges();
  if (location.hash === '#transfer' && card.status === 'active') { openTransfer(); history.replaceState(null, '', location.pathname); }
}

async function start() {
  loading(true);
  try {
    card = await api('/api/card');
  } catch (err) {
    loading(false);
    const notMember = err instanceof ApiError && err.code === 'not_a_member';
    // A pending applicant is told where their application stands, not only "not a member".
    const application = notMember ? (await api('/api/join/context').catch(() => ({}))).application : null;
    const waiting = application && ['pending', 'correction'].includes(application.status);
    const title = waiting ? `入会申请${application.status_label}` : notMember ? '您还不是工会会员' : '加载失败';
    const desc = waiting
      ? `您于${esc(application.submitted_at.slice(0, 10))}向${esc(application.federation?.name || '工会')}提交了入会申请，`
        + `<strong id="decision-date">将于${esc(application.due_on)}前作出决定</strong>。通过后，这里会显示您的电子会员卡。`
        + (application.reason ? `<br>需要补正：${esc(application.reason)}` : '')
      : notMember ? '入会申请通过后，这里会显示您的电子会员卡。' : esc(err.message);
    const action = waiting ? '<a class="weui-btn weui-btn_default" href="/h5/join.html">查看申请</a>'
      : notMember ? '<a class="weui-btn weui-btn_primary" href="/h5/join.html">申请入会</a>' : '';
    $('#card').innerHTML = `<div class="weui-msg state-card">
      <div class="weui-msg__icon-area"><i class="${waiting ? 'weui-icon-waiting' : notMember ? 'weui-icon-info' : 'weui-icon-warn'} weui-icon_msg"></i></div>
      <div class="weui-msg__text-area"><h2 class="weui-msg__title" id="card-state">${title}</h2>
      <p class="weui-msg__desc">${desc}</p></div>
      ${action ? `<div class="weui-msg__opr-area"><p class="weui-btn-area">${action}</p></div>` : ''}
    </div>`;
    return;
  }
  loading(false);
  render();
}

start();
