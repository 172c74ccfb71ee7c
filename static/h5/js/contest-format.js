// Contest pages' shared formatting: times in China time (contests happen there, whatever
// the phone's time zone), places and states in words.
const CHINA = { timeZone: 'Asia/Shanghai' };

function parts(iso) {
  const d = new Date(iso);
  const out = {};
  new Intl.DateTimeFormat('zh-CN', { ...CHINA, year: 'numeric', month: 'numeric', day: 'numeric',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short' })
    .formatToParts(d).forEach(p => { out[p.type] = p.value; });
  return out;
}

// 12月1日（周二）09:00
export function when(iso, { weekday = false } = {}) {
  if (!iso) return '';
  const p = parts(iso);
  return `${p.month}月${p.day}日${weekday ? `（${p.weekday}）` : ''} ${p.hour}:${p.minute}`;
}

export function whenFull(iso) {
  if (!iso) return '';
  const p = parts(iso);
  return `${p.year}年${when(iso, { weekday: true })}`;
}

export const REGISTRATION = {
  open: ['报名中', 'tag-green'],
  not_open: ['未开始', 'tag-grey'],
  closed: ['报名已截止', 'tag-grey'],
  finished: ['已结束', 'tag-grey'],
  cancelled: ['已取消', 'tag-red'],
};

export function placesText(c) {
  if (c.places_left > 0) return `剩余名额 ${c.places_left} / ${c.capacity}`;
  return c.waitlist_count ? `名额已满 · 候补 ${c.waitlist_count} 人` : '名额已满，可报名候补';
}

export function mineText(m) {
  if (!m) return '';
  if (m.status === 'waitlisted') return `候补第 ${m.position} 位`;
  if (m.status === 'confirmed') return m.checked_in ? '已签到' : '已报名';
  return m.status_label;
}

// Where it is held, as plain text: the venue position's name and the room written beside it.
export function venueText(c) {
  return [c.venue_position ? c.venue_position.name : '', c.venue || ''].filter(Boolean).join(' ');
}
