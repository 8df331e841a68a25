// What the dashboard (app.js) and the operators' page (operators.js) share: the API's base, the
// token kept in localStorage (taken once from a #token= link, then removed from the address bar), and
// two DOM helpers. No build step: both pages import this module.
/* global document, localStorage, location, history */
export const API = '/api/v1';
export const TOKEN_KEY = 'chiso.token';
export const $ = (id) => document.getElementById(id);
export const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    // Through the CSSOM, which the Content-Security-Policy allows; a style="" attribute it refuses.
    else if (k === 'style') Object.assign(e.style, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};

export function readToken() {
  const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (m) {
    localStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return localStorage.getItem(TOKEN_KEY);
}
