/* thrad tag.js: events and conversions from an advertiser's pages (TAG.md §6).
 * Commands set, event, conversion, consent: docs/browser.md. Plain JavaScript, <= 12 KB.
 * Calls made before the script loads wait in window.thradTag.q. */
(function (w, d) {
  'use strict';
  var stub = w.thradTag;
  if (stub && stub.loaded) return; // loaded twice: the first copy serves

  var P = '[thrad] ';
  var LANDING = ['thrad_click_id', 'thrad_exp', 'thrad_sig', 'thrad_bid_id'];
  var MAX_AGE = 90 * 24 * 3600; // the landing parameters are kept 90 days
  // Collect fields sent at the top level (API.md §3); anything else goes into params.
  var FIELDS = ['tag_id', 'event_id', 'timestamp', 'page_url', 'referrer', 'user_agent',
    'session_id', 'client_id', 'attribution_type', 'impression_id', 'click_id', 'bid_id',
    'impression_state', 'view_time_ms'];
  var defaults = {};
  var defaultParams = {};
  var consent = null; // null until the page says; then {analytics_storage: ...}
  var consentUpdated = false;
  var pageLanding = readUrl(); // this page's own landing parameters, kept in memory
  var checked = false; // whether a request whose answer we read has been sent
  var base = endpointBase();

  function endpointBase() {
    var b = w.__thradEndpointBase;
    if (!b) {
      var s = d.currentScript;
      if (!s || !s.src) {
        var all = d.getElementsByTagName('script');
        for (var i = 0; i < all.length; i++) {
          if (/\/tag\.js(\?|#|$)/.test(all[i].src)) s = all[i];
        }
      }
      try { b = new URL(s.src).origin; } catch (e) { b = location.origin; }
    }
    return String(b).replace(/\/+$/, '');
  }

  function granted() {
    return !consent || consent.analytics_storage !== 'denied';
  }

  function readUrl() {
    var q;
    try { q = new URL(location.href).searchParams; } catch (e) { return null; }
    if (!q.get('thrad_click_id') || !q.get('thrad_exp') || !q.get('thrad_sig')) return null;
    var lp = {};
    for (var i = 0; i < LANDING.length; i++) {
      var v = q.get(LANDING[i]);
      if (v) lp[LANDING[i]] = v;
    }
    return lp;
  }

  // --- first-party storage: cookies and localStorage, only while consent allows ---

  function cookie(name, value, maxAge) {
    d.cookie = name + '=' + encodeURIComponent(value) + '; Path=/; Max-Age=' + maxAge +
      '; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
  }

  function readCookie(name) {
    var parts = d.cookie ? d.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) {
        try { return decodeURIComponent(parts[i].slice(eq + 1)); } catch (e) { return null; }
      }
    }
    return null;
  }

  function storage() {
    try { return w.localStorage; } catch (e) { return null; } // blocked storage throws
  }

  function store(lp) {
    var ls = storage();
    for (var i = 0; i < LANDING.length; i++) {
      var k = LANDING[i];
      try {
        if (lp[k]) {
          cookie(k, lp[k], MAX_AGE);
          if (ls) ls.setItem(k, lp[k]);
        } else { // a new click replaces the whole set: no stale bid id
          cookie(k, '', 0);
          if (ls) ls.removeItem(k);
        }
      } catch (e) { /* storage full or refused: the cookies may still hold them */ }
    }
  }

  function forget() {
    var ls = storage();
    for (var i = 0; i < LANDING.length; i++) {
      if (readCookie(LANDING[i]) !== null) cookie(LANDING[i], '', 0);
      try { if (ls) ls.removeItem(LANDING[i]); } catch (e) { /* nothing kept there */ }
    }
  }

  function stored() {
    var ls = storage();
    var sources = [readCookie, function (k) {
      try { return ls && ls.getItem(k); } catch (e) { return null; }
    }];
    for (var s = 0; s < sources.length; s++) {
      var lp = {};
      for (var i = 0; i < LANDING.length; i++) {
        var v = sources[s](LANDING[i]);
        if (v) lp[LANDING[i]] = v;
      }
      if (lp.thrad_click_id && lp.thrad_exp && lp.thrad_sig) return lp;
    }
    return null;
  }

  // This page's parameters first (a new click wins), then what an earlier page kept.
  function landing() {
    return pageLanding || (granted() ? stored() : null);
  }

  // --- sending ---

  function uuid() {
    var c = w.crypto;
    if (c && c.randomUUID) return c.randomUUID();
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.random() * 256;
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = '';
    for (var j = 0; j < 16; j++) {
      h += (b[j] + 256).toString(16).slice(1);
      if (j === 3 || j === 5 || j === 7 || j === 9) h += '-';
    }
    return h;
  }

  // Explains a refusal on the console: the server's detail (readable thanks to CORS).
  function explain(what, status, body) {
    var detail = (body && body.detail) || ('HTTP ' + status);
    var hint = '';
    if (detail === 'Origin not allowed for this tag') {
      hint = ': add ' + location.origin + " to the tag's origins (thrad-events tags update)";
    } else if (detail === 'Tag not found') {
      hint = ": check thradTag('set', 'tag_id', ...)";
    } else if (body && body.errors) {
      hint = ': ' + body.errors.map(function (e) {
        return (e.loc || []).slice(1).join('.') + ' ' + e.msg;
      }).join('; ');
    }
    console.error(P + what + ' refused (' + status + '): ' + detail + hint);
    return {status: 'error', code: status, detail: detail};
  }

  function read(what, r) {
    return r.text().then(function (t) {
      var body = null;
      try { body = t ? JSON.parse(t) : null; } catch (e) { /* not JSON */ }
      if (r.ok) return body || {status: 'ok'};
      return explain(what, r.status, body);
    });
  }

  // Sends `body` to `path`. Every conversion, and the first request of a page, go by fetch
  // (keepalive) so that the answer can be read and a refusal explained; the rest go by
  // navigator.sendBeacon (text/plain), falling back to fetch with keepalive.
  // Resolves with the server's answer, or {status: 'sent'} for a beacon.
  function send(what, path, body, mustRead) {
    var url = base + path;
    var data = JSON.stringify(body);
    if (!mustRead && checked && navigator.sendBeacon) {
      try {
        if (navigator.sendBeacon(url, data)) return Promise.resolve({status: 'sent'});
      } catch (e) { /* fall back to fetch */ }
    }
    checked = true;
    if (!w.fetch) return Promise.resolve({status: 'error', detail: 'no fetch in this browser'});
    return w.fetch(url, {method: 'POST', body: data, keepalive: true, credentials: 'omit'})
      .then(function (r) { return read(what, r); }, function (e) {
        console.warn(P + what + ' not delivered to ' + base + ': ' + e + ' (blocked by CORS ' +
          'when ' + location.origin + ' is not among the origins of any tag; or unreachable)');
        return {status: 'error', detail: String(e)};
      });
  }

  function cut(s, n) {
    return s && s.length > n ? s.slice(0, n) : s;
  }

  function merge(into, from) {
    for (var k in from) if (Object.prototype.hasOwnProperty.call(from, k)) into[k] = from[k];
    return into;
  }

  function place(e, params, k, v) {
    if (k === 'params' && v && typeof v === 'object') merge(params, v);
    else if (FIELDS.indexOf(k) >= 0) e[k] = v;
    else params[k] = v;
  }

  // --- commands ---

  function set(a, b) {
    var obj = a;
    if (typeof a === 'string') { obj = {}; obj[a] = b; }
    for (var k in obj) {
      if (Object.prototype.hasOwnProperty.call(obj, k)) place(defaults, defaultParams, k, obj[k]);
    }
  }

  function event(name, p) {
    var e = merge({}, defaults);
    var params = merge({}, defaultParams);
    for (var k in p || {}) {
      if (Object.prototype.hasOwnProperty.call(p, k)) place(e, params, k, p[k]);
    }
    if (!e.tag_id) {
      console.error(P + 'event "' + name + "\" not sent: no tag_id (thradTag('set', 'tag_id', ...))");
      return Promise.resolve({status: 'error', detail: 'no tag_id'});
    }
    e.event_name = name;
    e.event_id = e.event_id || uuid();
    e.page_url = e.page_url || cut(location.href, 2048);
    if (!e.referrer && d.referrer) e.referrer = cut(d.referrer, 2048);
    e.user_agent = e.user_agent || cut(navigator.userAgent, 1024);
    var lp = landing();
    if (lp && !e.click_id) {
      e.click_id = lp.thrad_click_id;
      if (lp.thrad_bid_id && !e.bid_id) e.bid_id = lp.thrad_bid_id;
    }
    if (consent) e.consent = merge({}, consent);
    for (var x in params) { e.params = params; break; }
    return send('event "' + name + '"', '/v1/t/collect', e, false);
  }

  function conversion(p) {
    p = p || {};
    var lp = landing();
    if (lp && +lp.thrad_exp * 1000 < Date.now()) lp = null;
    if (!lp) {
      console.warn(P + 'conversion not sent: no landing parameters on this visitor (no Thrad ' +
        'ad click, expired, or not kept: see docs/browser.md)');
      return Promise.resolve({status: 'skipped', detail: 'no landing parameters'});
    }
    var c = {tag_id: p.tag_id || defaults.tag_id};
    if (!c.tag_id) {
      console.error(P + "conversion not sent: no tag_id (thradTag('set', 'tag_id', ...))");
      return Promise.resolve({status: 'error', detail: 'no tag_id'});
    }
    merge(c, lp);
    c.thrad_exp = /^\d+$/.test(lp.thrad_exp) ? +lp.thrad_exp : lp.thrad_exp; // Unix seconds
    var keys = ['order_id', 'value', 'currency', 'event_type', 'conversion_time'];
    for (var i = 0; i < keys.length; i++) {
      if (p[keys[i]] !== undefined && p[keys[i]] !== null) c[keys[i]] = p[keys[i]];
    }
    if (c.value === undefined && p.conversion_value !== undefined) c.value = p.conversion_value;
    return send('conversion', '/v1/t/conversion', c, true);
  }

  function setConsent(kind, state) {
    if (kind !== 'default' && kind !== 'update') {
      console.error(P + "consent: use 'default' or 'update', not " + kind);
      return;
    }
    if (kind === 'default' && consentUpdated) return; // an update already decided
    if (kind === 'update') consentUpdated = true;
    consent = merge(merge({}, consent || {}), state || {});
    if (!granted()) forget();
    else if (pageLanding) store(pageLanding);
  }

  function thradTag(cmd) {
    var a = arguments;
    switch (cmd) {
      case 'set': return set(a[1], a[2]);
      case 'event': return event(a[1], a[2]);
      case 'conversion': return conversion(a[1]);
      case 'consent': return setConsent(a[1], a[2]);
      default: console.error(P + 'unknown command ' + cmd);
    }
  }

  thradTag.loaded = true;
  thradTag.q = [];
  w.thradTag = thradTag;
  // The pre-load queue, in order; the landing capture waits for it, so a consent default
  // queued before the script loaded applies to it.
  var q = (stub && stub.q) || [];
  for (var i = 0; i < q.length; i++) {
    try { thradTag.apply(null, q[i]); } catch (e) { console.error(P + e); }
  }
  if (pageLanding && granted()) store(pageLanding);
})(window, document);
