// Phone simulator: plays a WeChat user against our service through /sim/phone (dev only).
// Every action goes to the server, which signs (and in safe mode encrypts) it and POSTs it to
// /wechat as WeChat would; the conversation is polled from the server every 2 seconds.

const $ = (id) => document.getElementById(id);
const USERS_KEY = "gl-sim-users";
const OPENID_KEY = "gl-sim-openid";
const SAFE_KEY = "gl-sim-safe";
const POLL_MS = 2000;

const state = { openid: null, cursor: 0, lastAt: null, config: null, busy: false, polling: false, federations: [] };

// --- small helpers -----------------------------------------------------------------------------
async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = body.error || {};
    const fields = error.fields ? "：" + Object.values(error.fields).join("；") : "";
    throw new Error((error.message || `请求失败（${response.status}）`) + fields);
  }
  return body;
}

function showError(error) {
  const box = $("panel-error");
  box.textContent = error ? String(error.message || error) : "";
  box.hidden = !error;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function randomOpenid() {
  const chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  let id = "o-sim-";
  for (let i = 0; i < 10; i += 1) id += chars[Math.floor(Math.random() * chars.length)];
  return id;
}

function users() {
  try { return JSON.parse(localStorage.getItem(USERS_KEY)) || []; } catch { return []; }
}

// --- the chosen user ---------------------------------------------------------------------------
function renderUsers() {
  const select = $("user-select");
  select.replaceChildren(...users().map((openid) => {
    const option = el("option", "", openid);
    option.value = openid;
    option.selected = openid === state.openid;
    return option;
  }));
}

async function chooseUser(openid) {
  state.openid = openid;
  state.cursor = 0;
  state.lastAt = null;
  localStorage.setItem(OPENID_KEY, openid);
  if (!users().includes(openid)) localStorage.setItem(USERS_KEY, JSON.stringify([...users(), openid]));
  // The stand-in's OAuth page answers for this user (H5 pages opened in the phone see a real flow).
  document.cookie = `sim_openid=${encodeURIComponent(openid)}; path=/; SameSite=Lax`;
  // ...and the pages forget the previous user's openid (each WeChat user has a browser of their own).
  await api("/sim/phone/user", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ openid }),
  });
  renderUsers();
  $("chat").replaceChildren();
  closeBrowser();
  await Promise.all([refreshUser(), poll()]);
}

async function refreshUser() {
  const user = await api(`/sim/phone/user?openid=${encodeURIComponent(state.openid)}`);
  const badge = $("follow-state");
  badge.textContent = user.following ? "已关注" : "未关注";
  badge.classList.toggle("on", user.following);
  $("follow").disabled = user.following;
  $("unfollow").disabled = !user.following;
}

// --- pushing what the user does ----------------------------------------------------------------
async function push(action, extra = {}) {
  if (state.busy) return;
  state.busy = true;
  $("typing").hidden = false;
  showError(null);
  try {
    const body = { openid: state.openid, action, safe: $("safe-mode").checked, ...extra };
    await api("/sim/phone/push", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
  } catch (error) {
    showError(error);
  } finally {
    state.busy = false;
    $("typing").hidden = true;
    await Promise.all([poll(), refreshUser()]);
  }
}

async function sendImage(file) {
  const form = new FormData();
  form.append("openid", state.openid);
  form.append("file", file);
  form.append("safe", $("safe-mode").checked ? "1" : "0");
  $("typing").hidden = false;
  try {
    await api("/sim/phone/upload", { method: "POST", body: form });
  } catch (error) {
    showError(error);
  } finally {
    $("typing").hidden = true;
    await poll();
  }
}

// --- the conversation --------------------------------------------------------------------------
async function poll() {
  if (!state.openid || state.polling) return;
  state.polling = true;
  const openid = state.openid;
  try {
    const body = await api(`/sim/phone/messages?openid=${encodeURIComponent(openid)}&after=${state.cursor}`);
    if (openid !== state.openid) return;
    body.messages.forEach(render);
    state.cursor = body.cursor;
    if (body.messages.length) $("chat").scrollTop = $("chat").scrollHeight;
  } catch (error) {
    showError(error);
  } finally {
    state.polling = false;
  }
}

function timeLabel(at) {
  const date = new Date(at);
  if (state.lastAt && date - state.lastAt < 3 * 60 * 1000) return null;
  state.lastAt = date;
  return date.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
}

// Text from the service may hold <a href="…">…</a> (WeChat renders those); everything else is text.
function richText(text) {
  const fragment = document.createDocumentFragment();
  const pattern = /<a\s+href=(["'])(.*?)\1\s*>([\s\S]*?)<\/a>/gi;
  let last = 0;
  const addText = (part) => part.split("\n").forEach((line, index) => {
    if (index) fragment.append(el("br"));
    fragment.append(document.createTextNode(line));
  });
  for (const match of text.matchAll(pattern)) {
    addText(text.slice(last, match.index));
    fragment.append(link(match[2], match[3]));
    last = match.index + match[0].length;
  }
  addText(text.slice(last));
  return fragment;
}

function link(url, label) {
  const anchor = el("a", "", label);
  if (/^https?:\/\//i.test(url) || url.startsWith("/")) {
    anchor.href = url;
    anchor.addEventListener("click", (event) => { event.preventDefault(); openBrowser(url); });
  }
  return anchor;
}

function bubble(side, content, tag) {
  const row = el("div", `msg ${side}`);
  const avatar = el("div", "avatar", side === "me" ? "我" : (state.config?.account_name || "工").slice(0, 1));
  const box = el("div", "bubble");
  box.append(content);
  if (tag) box.append(el("span", "tag", tag));
  row.append(avatar, box);
  return row;
}

function note(text, className = "") {
  const row = el("div", `note ${className}`);
  row.append(el("span", "", text));
  return row;
}

function federationName(scene) {
  return state.federations.find((item) => item.scene === scene)?.name || scene;
}

const EVENT_NOTES = {
  subscribe: (p) => (p.scene ? `扫描「${federationName(p.scene)}」的二维码并关注了公众号` : "你关注了公众号"),
  SCAN: (p) => `扫描了「${federationName(p.scene)}」的二维码`,
  CLICK: (p) => `点击了菜单「${menuName(p.key)}」`,
  unsubscribe: () => "你取消了关注",
};

function render(message) {
  const chat = $("chat");
  const label = timeLabel(message.at);
  if (label) chat.append(el("div", "time", label));
  const p = message.payload || {};
  if (message.source === "user") {
    if (message.kind === "text") chat.append(bubble("me", document.createTextNode(p.text), p.safe ? "安全模式·已加密" : ""));
    else if (message.kind === "image") {
      const image = el("img");
      image.src = `/sim/phone/media/${encodeURIComponent(p.media_id)}`;
      image.alt = "图片";
      image.addEventListener("load", () => { chat.scrollTop = chat.scrollHeight; });
      const row = bubble("me", image);
      row.querySelector(".bubble").classList.add("image");
      chat.append(row);
    } else if (message.kind === "location") {
      if (p.key) chat.append(note(`点击了菜单「${menuName(p.key)}」并选择了位置`));
      chat.append(locationBubble(p.location || {}, p.safe));
    } else chat.append(note((EVENT_NOTES[p.event] || (() => p.event))(p)));
  } else if (message.kind === "error") {
    chat.append(note(p.text, "error"));
  } else if (message.kind === "template") {
    chat.append(templateCard(p, message.at));
  } else if (message.kind === "news") {
    const card = el("div", "news");
    card.append(el("div", "news-title", p.title || ""), el("div", "news-desc", p.description || ""));
    if (p.url) card.addEventListener("click", () => openBrowser(p.url));
    const row = bubble("them", card);
    row.querySelector(".bubble").classList.add("image");
    chat.append(row);
  } else if (message.kind === "text") {
    const text = message.source === "custom" ? p.content : p.text;
    chat.append(bubble("them", richText(text || ""), message.source === "custom" ? "客服消息" : ""));
  } else if (message.kind === "image") {
    chat.append(bubble("them", document.createTextNode("[图片]")));
  } else {
    chat.append(bubble("them", document.createTextNode(`[${message.kind}]`)));
  }
}

function locationBubble(place, safe) {
  const card = el("div");
  card.append(el("div", "location-name", place.label || "位置"),
    el("div", "location-coords", `${Number(place.latitude).toFixed(5)}, ${Number(place.longitude).toFixed(5)}`),
    el("div", "location-map"));
  card.lastChild.append(el("span", "pin"));
  const row = bubble("me", card, safe ? "安全模式·已加密" : "");
  row.querySelector(".bubble").classList.add("location");
  return row;
}

function templateCard(p, at) {
  const card = el("div", "tpl");
  card.append(el("div", "tpl-title", p.title || "服务通知"));
  card.append(el("div", "tpl-date", new Date(at).toLocaleDateString("zh-CN", { month: "long", day: "numeric" })));
  // rows keep the order the service sent (JSON objects may come back with sorted keys)
  const rows = p.rows || Object.entries(p.data || {}).map(([key, item]) => [key, item?.value ?? ""]);
  for (const [key, value] of rows) {
    const row = el("div", "tpl-row");
    row.append(el("span", "tpl-key", key), el("span", "tpl-value", value));
    card.append(row);
  }
  if (p.url) {
    const more = el("div", "tpl-more card-link", "详情");
    more.addEventListener("click", () => openBrowser(p.url));
    card.append(more);
  }
  const row = el("div", "msg them");
  row.append(el("div", "avatar", (state.config?.account_name || "工").slice(0, 1)), card);
  return row;
}

// --- the in-phone browser ----------------------------------------------------------------------
function openBrowser(url) {
  $("browser-title").textContent = "加载中…";
  $("browser-frame").src = url;
  $("browser").hidden = false;
}

function closeBrowser() {
  $("browser").hidden = true;
  $("browser-frame").src = "about:blank";
}

// The title bar follows the page's title, as WeChat's does (pages may set it after loading).
$("browser-frame").addEventListener("load", () => {
  try {
    const doc = $("browser-frame").contentDocument;
    const show = () => { $("browser-title").textContent = doc.title || "网页"; };
    show();
    new MutationObserver(show).observe(doc.head || doc.documentElement,
      { subtree: true, childList: true, characterData: true });
  } catch {
    $("browser-title").textContent = "网页";
  }
});

// --- the menu ----------------------------------------------------------------------------------
function menuName(key) {
  for (const top of state.config?.menu?.button || []) {
    for (const item of top.sub_button?.length ? top.sub_button : [top]) if (item.key === key) return item.name;
  }
  return key;
}

function menuButton(item) {
  const button = el("button", "", item.name);
  button.type = "button";
  button.dataset.key = item.key || "";
  button.addEventListener("click", () => {
    $("submenu").hidden = true;
    if (item.type === "view" && item.url) openBrowser(item.url);
    else if (item.type === "location_select" && item.key) openPicker(item.key);
    else if (item.key) push("click", { key: item.key });
  });
  return button;
}

function renderMenu() {
  const nav = $("menu-buttons");
  const buttons = state.config.menu?.button || [];
  nav.replaceChildren(...buttons.map((top) => {
    if (!top.sub_button?.length) return menuButton(top);
    const button = el("button", "has-sub", top.name);
    button.type = "button";
    button.addEventListener("click", () => {
      const sub = $("submenu");
      const opening = sub.hidden || sub.dataset.owner !== top.name;
      sub.replaceChildren(...top.sub_button.map(menuButton));
      sub.dataset.owner = top.name;
      sub.style.left = `${button.offsetLeft + 8}px`;
      sub.hidden = !opening;
    });
    return button;
  }));
}

// --- federation QR codes -----------------------------------------------------------------------
async function loadFederations() {
  const list = $("qr-list");
  try {
    state.federations = await api("/sim/phone/federations");
  } catch (error) {
    list.replaceChildren(el("p", "error", `二维码加载失败：${error.message}`));
    return;
  }
  if (!state.federations.length) {
    list.replaceChildren(el("p", "hint", "还没有运行中的工会联合会（运行 flask demo seed）。"));
    return;
  }
  list.replaceChildren(...state.federations.map((item) => {
    const card = el("div", "qr");
    const image = el("img");
    image.src = item.image_url;
    image.alt = `${item.name}的二维码`;
    const info = el("div");
    const actions = el("div", "qr-actions");
    const scan = el("button", "", "扫一扫");
    scan.type = "button";
    scan.dataset.scene = item.scene;
    scan.addEventListener("click", () => push("scan", { ticket: item.ticket }));
    const poster = el("a", "", "海报");
    poster.href = item.poster_url;
    poster.target = "_blank";
    actions.append(scan, poster);
    info.append(el("div", "qr-name", item.name), actions);
    card.append(image, info);
    return card;
  }));
}

// --- the location picker -----------------------------------------------------------------------
// ＋ → 位置 sends a location message; a location_select menu button sends its event with the place,
// then (as WeChat does) the same place as a location message.
const picker = { key: null, place: null };

function openPicker(key = null) {
  picker.key = key;
  picker.place = null;
  $("location-title").textContent = key ? menuName(key) : "位置";
  $("location-error").hidden = true;
  $("location-places").replaceChildren(...(state.config.places || []).map((place, index) => {
    const button = el("button", "", place.label);
    button.type = "button";
    button.setAttribute("role", "option");
    button.dataset.index = String(index);
    button.append(el("small", "", `${place.latitude.toFixed(5)}, ${place.longitude.toFixed(5)}`));
    button.addEventListener("click", () => {
      picker.place = place;
      $("location-places").querySelectorAll("button").forEach((b) => b.setAttribute("aria-selected", b === button));
      $("location-lat").value = "";
      $("location-lng").value = "";
    });
    return button;
  }));
  $("location-picker").hidden = false;
}

function closePicker() {
  $("location-picker").hidden = true;
}

// "38.04, 114.53" pasted into the latitude box fills both
function splitPasted() {
  const parts = $("location-lat").value.split(/[,，\s]+/).filter(Boolean);
  if (parts.length === 2) { $("location-lat").value = parts[0]; $("location-lng").value = parts[1]; }
}

function chosenPlace() {
  const lat = $("location-lat").value.trim();
  const lng = $("location-lng").value.trim();
  if (lat || lng) {
    return { latitude: Number(lat), longitude: Number(lng), label: $("location-label").value.trim() || "地图选点" };
  }
  return picker.place;
}

async function sendPicked() {
  const place = chosenPlace();
  const error = $("location-error");
  if (!place || !Number.isFinite(place.latitude) || !Number.isFinite(place.longitude)) {
    error.textContent = "请选择地点，或填写有效的经纬度";
    error.hidden = false;
    return;
  }
  closePicker();
  if (picker.key) await push("location_select", { key: picker.key, location: place });
  else await push("location", { location: place });
}

// --- wiring ------------------------------------------------------------------------------------
function wire() {
  $("user-select").addEventListener("change", (event) => chooseUser(event.target.value));
  $("new-user").addEventListener("click", () => chooseUser(randomOpenid()));
  $("follow").addEventListener("click", () => push("subscribe"));
  $("unfollow").addEventListener("click", () => push("unsubscribe"));
  $("safe-mode").addEventListener("change", (event) => localStorage.setItem(SAFE_KEY, event.target.checked ? "1" : ""));
  $("to-input").addEventListener("click", () => { $("menu-bar").hidden = true; $("input-bar").hidden = false; $("text").focus(); });
  $("to-menu").addEventListener("click", () => { $("input-bar").hidden = true; $("menu-bar").hidden = false; });
  $("input-bar").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    $("text").value = "";
    push("text", { content: text });
  });
  $("pick-image").addEventListener("click", () => $("image-file").click());
  $("image-file").addEventListener("change", (event) => {
    const [file] = event.target.files;
    event.target.value = "";
    if (file) sendImage(file);
  });
  $("pick-location").addEventListener("click", () => openPicker());
  $("location-cancel").addEventListener("click", closePicker);
  $("location-send").addEventListener("click", sendPicked);
  $("location-lat").addEventListener("change", splitPasted);
  $("location-lat").addEventListener("paste", () => setTimeout(splitPasted, 0));
  $("location-custom").addEventListener("submit", (event) => { event.preventDefault(); sendPicked(); });
  $("browser-close").addEventListener("click", closeBrowser);
  $("browser-back").addEventListener("click", () => {
    try { $("browser-frame").contentWindow.history.back(); } catch { closeBrowser(); }
  });
  $("oauth-check").addEventListener("click", () => openBrowser("/sim/phone/oauth-check"));
  setInterval(() => { $("clock").textContent = new Date().toTimeString().slice(0, 5); }, 10000);
}

async function start() {
  wire();
  $("clock").textContent = new Date().toTimeString().slice(0, 5);
  state.config = await api("/sim/phone/config");
  // Links in the chat open PUBLIC_BASE_URL inside the phone: on another host name (localhost for
  // 127.0.0.1) the phone's pages would be a third-party frame, without their session cookie.
  const home = new URL(state.config.public_base_url, location.href);
  if (home.origin !== location.origin) {
    location.replace(`${state.config.public_base_url.replace(/\/+$/, "")}/simulator/`);
    return;
  }
  $("account-name").textContent = state.config.account_name;
  document.title = `微信手机模拟器 · ${state.config.account_name}`;
  renderMenu();
  const safe = $("safe-mode");
  safe.disabled = !state.config.safe_mode;
  safe.checked = state.config.safe_mode && localStorage.getItem(SAFE_KEY) === "1";
  $("safe-hint").hidden = state.config.safe_mode;
  await loadFederations();
  await chooseUser(localStorage.getItem(OPENID_KEY) || randomOpenid());
  setInterval(poll, POLL_MS);
  document.body.dataset.ready = "1";
}

start().catch(showError);
