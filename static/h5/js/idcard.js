// GB 11643 resident ID check while typing (the server's service/validators.py decides).
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function checkId(raw, today = new Date()) {
  const id = String(raw || '').replace(/\s+/g, '').toUpperCase();
  if (!id) return { error: '请填写身份证号' };
  if (id.length !== 18) return { error: `身份证号应为18位，您填写了${id.length}位` };
  if (!/^\d{17}[\dX]$/.test(id)) return { error: '身份证号前17位应为数字，最后一位为数字或X' };
  const y = +id.slice(6, 10), m = +id.slice(10, 12), d = +id.slice(12, 14);
  const birth = new Date(y, m - 1, d);
  if (birth.getFullYear() !== y || birth.getMonth() !== m - 1 || birth.getDate() !== d) {
    return { error: '身份证号中的出生日期不存在，请核对' };
  }
  if (birth > today) return { error: '身份证号中的出生日期晚于今天，请核对' };
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(id[i]), 0);
  if (CHECK[sum % 11] !== id[17]) return { error: '身份证号校验位不正确，请逐位核对' };
  let age = today.getFullYear() - y;
  if (today.getMonth() < m - 1 || (today.getMonth() === m - 1 && today.getDate() < d)) age -= 1;
  if (age < 16) return { error: '未满16周岁，暂不能申请入会' };
  const pad = n => String(n).padStart(2, '0');
  return { id, birth: `${y}-${pad(m)}-${pad(d)}`, gender: Number(id[16]) % 2 ? 'M' : 'F' };
}
