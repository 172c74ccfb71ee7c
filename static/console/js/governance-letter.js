// A supervision letter (提示函 / 意见书 / 建议书) laid out for printing on A4.
import { api, esc, session } from '/console/lib/api.js';

const params = new URLSearchParams(location.search);
const { staff } = await session();
if (!staff) location.replace('/console/login.html?next=' + encodeURIComponent(location.pathname + location.search));
const x = await api(`/api/governance/federations/${Number(params.get('federation'))}/letters/${Number(params.get('id'))}`);
const cn = iso => { const [y, m, d] = iso.split('-'); return `${y}年${Number(m)}月${Number(d)}日`; };
const closing = {
  reminder: `请贵单位于${cn(x.due_on)}前将整改情况书面反馈本会。`,
  opinion: `请贵单位于${cn(x.due_on)}前研究处理，并将处理结果书面答复本会。逾期未答复或未整改的，本会将向有关部门提出建议。`,
  recommendation: `建议贵部门依法调查处理，并于${cn(x.due_on)}前将处理情况函告本会。`,
}[x.kind];
document.title = `${x.kind_label} ${x.number}`;
document.getElementById('sheet').innerHTML = `<h1>${esc(x.kind_label)}</h1><div class="number">${esc(x.number)}</div>
  <div class="rule"></div>
  <p class="to">${esc(x.addressee)}：</p>
  <p>${x.kind === 'recommendation' ? `经本会劳动法律监督，${esc(x.employer_name)}存在以下问题，经发出提示函、意见书后仍未整改：`
    : '经本会劳动法律监督委员会调查了解，贵单位存在以下问题：'}</p>
  <p>${esc(x.facts)}</p>
  ${x.legal_basis ? `<h2>法律依据</h2><p>${esc(x.legal_basis)}</p>` : ''}
  <h2>${x.kind === 'recommendation' ? '建议' : '整改意见'}</h2><p>${esc(x.demands)}</p>
  <p>${esc(closing)}</p>
  <p class="sign">${esc(x.federation_name)}（印章）<br>${cn(x.issued_on)}</p>`;
document.getElementById('state').textContent = `状态：${x.status_label}`;
document.getElementById('print').addEventListener('click', () => window.print());
