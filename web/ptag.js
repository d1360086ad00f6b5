/* thrad ptag.js: ad impressions and viewability from a publisher's pages.
 * Contract: TAG.md §6; guide: docs/browser.md. Plain JavaScript, no build step, <= 12 KB.
 *   ptag('config', tag_id, {params})
 *   ptag.trackImpressions(selector, {max, sendOnInView, sendOnViewable, sendOnViewEnd, params})
 *   ptag.trackImpression(element, opts)     (queued forms: ptag('trackImpressions', ...))
 * Each tracked element sends collect events named "impression" (POST /v1/t/collect) with
 * impression_state: rendered (tracked in the page), in_view (any pixel visible), viewable
 * (>= 50 % visible for 1 continuous second, the IAB rule) and view_end (left the viewport
 * or the page was hidden, with view_time_ms); each at most once per element. */
(function (w, d) {
  'use strict';
  var stub = w.ptag;
  if (stub && stub.loaded) return; // loaded twice: the first copy serves

  var P = '[thrad ptag] ';
  var VIEWABLE_RATIO = 0.5;
  var VIEWABLE_MS = 1000;
  var MAX_BATCH = 50; // POST /v1/t/collect takes at most 50 events per request
  var config = {tag_id: null, params: {}};
  var base = endpointBase();
  var tracked = []; // the state of every tracked element
  var queue = []; // events waiting for the next flush
  var flushTimer = 0;
  var checked = false; // whether a request whose answer we read has been sent
  var observer = w.IntersectionObserver ?
    new IntersectionObserver(onEntries, {threshold: [0, 0.25, VIEWABLE_RATIO, 0.75, 1]}) : null;

  function endpointBase() {
    var b = w.__thradEndpointBase;
    if (!b) {
      var s = d.currentScript;
      if (!s || !s.src) {
        var all = d.getElementsByTagName('script');
        for (var i = 0; i < all.length; i++) {
          if (/\/ptag\.js(\?|#|$)/.test(all[i].src)) s = all[i];
        }
      }
      try { b = new URL(s.src).origin; } catch (e) { b = location.origin; }
    }
    return String(b).replace(/\/+$/, '');
  }

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

  function merge(into, from) {
    for (var k in from) if (Object.prototype.hasOwnProperty.call(from, k)) into[k] = from[k];
    return into;
  }

  // --- sending: events are batched per task, one request per flush ---

  function explain(status, body) {
    var detail = (body && body.detail) || ('HTTP ' + status);
    var hint = '';
    if (detail === 'Origin not allowed for this tag') {
      hint = ': add ' + location.origin + " to the tag's origins (thrad-events tags update)";
    } else if (detail === 'Tag not found') {
      hint = ": check ptag('config', tag_id)";
    } else if (body && body.errors) {
      hint = ': ' + body.errors.map(function (e) {
        return (e.loc || []).slice(1).join('.') + ' ' + e.msg;
      }).join('; ');
    }
    console.error(P + 'impressions refused (' + status + '): ' + detail + hint);
  }

  // The first request of a page goes by fetch (keepalive), so a refusal can be explained on
  // the console; the rest by navigator.sendBeacon (text/plain), falling back to fetch.
  function post(events, leaving) {
    var url = base + '/v1/t/collect';
    var data = JSON.stringify(events.length === 1 ? events[0] : {events: events});
    if ((checked || leaving) && navigator.sendBeacon) {
      try { if (navigator.sendBeacon(url, data)) return; } catch (e) { /* fetch below */ }
    }
    checked = true;
    if (!w.fetch) return;
    w.fetch(url, {method: 'POST', body: data, keepalive: true, credentials: 'omit'})
      .then(function (r) {
        if (!r.ok) {
          return r.text().then(function (t) {
            var body = null;
            try { body = JSON.parse(t); } catch (e) { /* not JSON */ }
            explain(r.status, body);
          });
        }
      }, function (e) {
        console.warn(P + 'impressions not delivered to ' + base + ': ' + e + ' (blocked by ' +
          'CORS when ' + location.origin + ' is not among the origins of any tag; or unreachable)');
      });
  }

  function flush(leaving) {
    clearTimeout(flushTimer);
    flushTimer = 0;
    while (queue.length) post(queue.splice(0, MAX_BATCH), leaving);
  }

  function emit(s, state, extra) {
    if (s.sent[state]) return;
    s.sent[state] = true;
    if (state !== 'rendered' && s.opts[{in_view: 'sendOnInView', viewable: 'sendOnViewable',
      view_end: 'sendOnViewEnd'}[state]] === false) return;
    var e = {
      tag_id: config.tag_id,
      event_name: 'impression',
      event_id: uuid(),
      impression_state: state,
      page_url: location.href.slice(0, 2048),
      user_agent: navigator.userAgent.slice(0, 1024)
    };
    if (d.referrer) e.referrer = d.referrer.slice(0, 2048);
    var bid = s.el.getAttribute('data-thrad-bid-id');
    var imp = s.el.getAttribute('data-thrad-impression-id');
    if (bid) e.bid_id = bid;
    if (imp) e.impression_id = imp;
    merge(e, extra || {});
    var params = merge(merge({}, config.params), s.opts.params || {});
    for (var k in params) { e.params = params; break; }
    queue.push(e);
    if (!flushTimer) flushTimer = setTimeout(flush, 0);
  }

  // --- viewability ---

  function stateOf(el) {
    for (var i = 0; i < tracked.length; i++) if (tracked[i].el === el) return tracked[i];
    return null;
  }

  function clearViewableTimer(s) {
    clearTimeout(s.timer);
    s.timer = 0;
  }

  // The element stopped being in view (scrolled away, removed, or the page was hidden).
  function leave(s, now) {
    clearViewableTimer(s);
    if (!s.inViewSince) return;
    var ms = Math.max(0, Math.round(now - s.inViewSince));
    s.inViewSince = 0;
    emit(s, 'view_end', {view_time_ms: ms});
    done(s);
  }

  function done(s) {
    if (s.sent.viewable && s.sent.view_end && observer) observer.unobserve(s.el);
  }

  function update(s, ratio, now) {
    if (d.visibilityState === 'hidden') ratio = 0;
    s.ratio = ratio;
    if (ratio <= 0) return leave(s, now);
    if (!s.inViewSince) s.inViewSince = now;
    emit(s, 'in_view');
    if (ratio >= VIEWABLE_RATIO) {
      if (!s.timer && !s.sent.viewable) {
        s.timer = setTimeout(function () {
          s.timer = 0;
          if (s.ratio >= VIEWABLE_RATIO && d.visibilityState !== 'hidden') {
            emit(s, 'viewable');
            done(s);
          }
        }, VIEWABLE_MS);
      }
    } else {
      clearViewableTimer(s); // the second must be continuous
    }
  }

  function onEntries(entries) {
    var now = w.performance ? performance.now() : Date.now();
    for (var i = 0; i < entries.length; i++) {
      var s = stateOf(entries[i].target);
      if (s) update(s, entries[i].isIntersecting ? entries[i].intersectionRatio : 0, now);
    }
  }

  function leaveAll() {
    var now = w.performance ? performance.now() : Date.now();
    for (var i = 0; i < tracked.length; i++) leave(tracked[i], now);
    flush(true);
  }

  function onVisibility() {
    if (d.visibilityState === 'hidden') return leaveAll();
    // Visible again: observing anew reports where each element is now.
    for (var i = 0; observer && i < tracked.length; i++) {
      var s = tracked[i];
      if (s.sent.viewable && s.sent.view_end) continue; // done: no longer observed
      observer.unobserve(s.el);
      observer.observe(s.el);
    }
  }

  // --- commands ---

  function trackImpression(el, opts) {
    if (!el || el.nodeType !== 1) {
      console.error(P + 'trackImpression needs an element');
      return false;
    }
    if (!config.tag_id) {
      console.error(P + "no tag: call ptag('config', tag_id) before tracking impressions");
      return false;
    }
    if (stateOf(el)) return false; // each element is tracked once
    var s = {el: el, opts: opts || {}, sent: {}, timer: 0, inViewSince: 0, ratio: 0};
    tracked.push(s);
    emit(s, 'rendered');
    if (observer) observer.observe(el);
    else console.warn(P + 'no IntersectionObserver: only rendered is reported');
    return true;
  }

  function trackImpressions(selector, opts) {
    opts = opts || {};
    var els = d.querySelectorAll(selector);
    var max = opts.max > 0 ? opts.max : Infinity;
    var n = 0;
    for (var i = 0; i < els.length && n < max; i++) if (trackImpression(els[i], opts)) n++;
    if (!els.length) console.warn(P + 'no element matches ' + selector);
    return n;
  }

  function ptag(cmd, a, b) {
    switch (cmd) {
      case 'config':
        config.tag_id = a;
        config.params = (b && b.params) || {};
        return;
      case 'trackImpressions': return trackImpressions(a, b);
      case 'trackImpression': return trackImpression(a, b);
      default: console.error(P + 'unknown command ' + cmd);
    }
  }

  ptag.loaded = true;
  ptag.q = [];
  ptag.trackImpressions = trackImpressions;
  ptag.trackImpression = trackImpression;
  w.ptag = ptag;
  d.addEventListener('visibilitychange', onVisibility);
  w.addEventListener('pagehide', leaveAll);
  var q = (stub && stub.q) || [];
  for (var i = 0; i < q.length; i++) {
    try { ptag.apply(null, q[i]); } catch (e) { console.error(P + e); }
  }
})(window, document);
