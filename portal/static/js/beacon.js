/* Signpost reading beacon: first-party, cookieless, batched.
 * Sends nothing when the reader asks not to be tracked (Do-Not-Track or Global Privacy
 * Control). The session id is random, lives in sessionStorage (this tab only) and is
 * replaced every UTC day. Events: page_view, engagement, scroll, search_click, copy,
 * link, exit; other scripts add feedback and survey events through window.signpost. */
(function () {
  "use strict";
  var ENDPOINT = "/api/v1/events";
  var IDLE_MS = 30000, FLUSH_MS = 15000, MAX_BATCH = 50;
  var noop = function () {};
  var optedOut = navigator.doNotTrack === "1" || window.doNotTrack === "1" ||
    navigator.globalPrivacyControl === true;
  var article = document.querySelector("article.doc[data-page][data-lang]");
  window.signpost = { enabled: false, session: null, ref: null, send: noop, flush: noop };
  if (optedOut) return;
  var session = sessionId();
  if (!session) return;
  // Searches from the header carry the session and the page searched from, so the
  // search log links to reading.
  var here = article && article.getAttribute("data-page");
  document.querySelectorAll("form.header-search, form[data-search-form]").forEach(function (form) {
    if (form.querySelector("input[name=session]")) return;
    var input = document.createElement("input");
    input.type = "hidden"; input.name = "session"; input.value = session;
    form.appendChild(input);
    if (here) {
      var from = document.createElement("input");
      from.type = "hidden"; from.name = "from"; from.value = here;
      form.appendChild(from);
    }
  });
  window.signpost.session = session;
  if (!article) return;

  var page = article.getAttribute("data-page"), lang = article.getAttribute("data-lang");
  var queue = [], engaged = 0, lastActive = Date.now(), maxDepth = -1, sentDepth = -1;
  var deepest = null, sentDeepest = null, exited = false;

  function sessionId() {
    var today = new Date().toISOString().slice(0, 10);
    try {
      var saved = JSON.parse(sessionStorage.getItem("signpost.session") || "null");
      if (saved && saved.day === today && /^[0-9a-f]{32}$/.test(saved.id)) return saved.id;
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      var id = Array.prototype.map.call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      sessionStorage.setItem("signpost.session", JSON.stringify({ id: id, day: today }));
      return id;
    } catch (e) {
      return null; // storage blocked: stay silent rather than invent a cookie-like id
    }
  }

  function send(event) {
    event.page = event.page || page;
    event.lang = event.lang || lang;
    event.t = Date.now();
    queue.push(event);
  }

  // Batches the server could not take (503 during a database outage, 429, a network
  // error) are kept and sent again after its Retry-After; a page left before that hands
  // them to the next page of this tab through sessionStorage. Each batch carries a random
  // id that stays the same when it is sent again, so the server stores it once even if an
  // answer was lost after the commit. A batch refused as invalid (4xx) is not sent again.
  var retry = [], retryTimer = null, RETRY_MS = 5000, MAX_KEPT = 20;
  var KEPT = "signpost.unsent";

  // The time first, then randomness: ids the server receives together sort together, so
  // claiming them writes to the end of its index instead of one random page per batch.
  // 24 hex digits in all, as kept batches are checked for in restore().
  function batchId() {
    var bytes = new Uint8Array(6);
    crypto.getRandomValues(bytes);
    return ("000000000000" + Date.now().toString(16)).slice(-12) +
      Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function post(batch, leaving) {
    var body = JSON.stringify({ session: session, batch: batch.id, events: batch.events });
    if (leaving || !window.fetch) {
      try {
        if (navigator.sendBeacon &&
            navigator.sendBeacon(ENDPOINT, new Blob([body], { type: "application/json" }))) return;
      } catch (e) { /* fall back to fetch */ }
      if (!window.fetch) return;
    }
    fetch(ENDPOINT, { method: "POST", body: body, keepalive: true, credentials: "omit",
      headers: { "Content-Type": "application/json" } }).then(function (response) {
      if (response.status === 503 || response.status === 429 || response.status >= 500) {
        var wait = parseInt(response.headers.get("Retry-After"), 10);
        keep(batch, wait > 0 ? Math.min(wait, 300) * 1000 : RETRY_MS);
      }
    }, function () { keep(batch, RETRY_MS); });
  }

  function keep(batch, wait) {
    retry.push(batch);
    while (retry.length > MAX_KEPT) retry.shift(); // a long outage: keep the latest
    save();
    if (retryTimer === null) retryTimer = setTimeout(resend, wait);
  }

  function resend() {
    retryTimer = null;
    var batches = retry.splice(0, retry.length);
    save();
    batches.forEach(function (batch) { post(batch, false); });
  }

  function save() {
    try {
      if (retry.length) sessionStorage.setItem(KEPT, JSON.stringify(retry));
      else sessionStorage.removeItem(KEPT);
    } catch (e) { /* storage full or blocked: they stay in memory only */ }
  }

  function restore() {
    try {
      var kept = JSON.parse(sessionStorage.getItem(KEPT) || "[]");
      sessionStorage.removeItem(KEPT);
      if (Array.isArray(kept) && kept.length) {
        retry = kept.filter(function (b) {
          return b && /^[0-9a-f]{24}$/.test(b.id) && Array.isArray(b.events);
        }).slice(-MAX_KEPT);
        save();
        retryTimer = setTimeout(resend, 0);
      }
    } catch (e) { /* nothing kept */ }
  }

  function flush(leaving) {
    var seconds = Math.round(engaged * 10) / 10;
    if (seconds > 0) { send({ type: "engagement", seconds: Math.min(seconds, 3600) }); engaged = 0; }
    if (maxDepth > sentDepth || deepest !== sentDeepest) {
      var scroll = { type: "scroll", depth: Math.max(0, maxDepth) };
      if (deepest) scroll.section = deepest;
      send(scroll);
      sentDepth = maxDepth; sentDeepest = deepest;
    }
    while (queue.length) post({ id: batchId(), events: queue.splice(0, MAX_BATCH) }, leaving === true);
  }

  // Where the reader came from: a search result, another page here, elsewhere, or nowhere.
  function arrival() {
    var params = new URLSearchParams(location.search);
    var searchId = parseInt(params.get("from_search"), 10), rank = parseInt(params.get("rank"), 10);
    if (searchId > 0) {
      params.delete("from_search"); params.delete("rank");
      var query = params.toString();
      history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
      if (rank > 0) send({ type: "search_click", search_id: searchId, rank: Math.min(rank, 100) });
      return { ref: "search", search_id: searchId };
    }
    if (!document.referrer) return { ref: "direct" };
    var from;
    try { from = new URL(document.referrer); } catch (e) { return { ref: "external" }; }
    if (from.origin !== location.origin) return { ref: "external" };
    var match = from.pathname.match(/^\/[a-z]{2,3}(?:-[a-z0-9]{2,8})?\/docs\/(.+)$/);
    var view = { ref: "internal" };
    if (match) view.from_page = decodeURIComponent(match[1]).slice(0, 255);
    return view;
  }

  function measureScroll() {
    var rect = article.getBoundingClientRect();
    var seen = Math.min(rect.height, window.innerHeight - rect.top);
    var depth = rect.height > 0 ? Math.round(Math.max(0, Math.min(1, seen / rect.height)) * 100) : 100;
    if (depth > maxDepth) maxDepth = depth;
    var headings = docHeadings();
    for (var i = 0; i < headings.length; i++) {
      if (headings[i].getBoundingClientRect().top < window.innerHeight * 0.9) {
        var idx = Array.prototype.indexOf.call(headings, document.getElementById(deepest));
        if (i > idx) deepest = headings[i].id;
      }
    }
  }

  // Only the page's own headings: the widget, survey and comments below it are not sections.
  function docHeadings() {
    return (article.querySelector(".doc-body") || article).querySelectorAll("h2[id], h3[id]");
  }

  function sectionOf(node) {
    var el = node && node.nodeType === 1 ? node : node && node.parentElement, found = null;
    var headings = docHeadings();
    for (var i = 0; i < headings.length; i++) {
      if (el && headings[i].compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) found = headings[i].id;
    }
    return found;
  }

  function copied(node, chars) {
    var event = { type: "copy", chars: chars };
    var section = sectionOf(node);
    if (section) event.section = section;
    send(event);
  }

  var view = arrival();
  view.type = "page_view";
  var revision = parseInt(article.getAttribute("data-rev"), 10);
  if (revision > 0) view.rev = revision; // the revision this reader saw (edit impact)
  send(view);
  window.signpost = { enabled: true, session: session, ref: view.ref, send: send,
    flush: function () { flush(false); },
    copied: copied, engagedSeconds: function () { return totalEngaged; } };
  var totalEngaged = 0;

  ["scroll", "keydown", "pointerdown", "mousemove", "touchstart", "wheel"].forEach(function (name) {
    window.addEventListener(name, function () { lastActive = Date.now(); }, { passive: true });
  });
  var ticking = false;
  window.addEventListener("scroll", function () {
    if (ticking) return;
    ticking = true;
    requestAnimationFrame(function () { measureScroll(); ticking = false; });
  }, { passive: true });
  setInterval(function () {
    if (document.visibilityState === "visible" && Date.now() - lastActive < IDLE_MS) {
      engaged += 1; totalEngaged += 1;
    }
  }, 1000);
  setInterval(function () { if (document.visibilityState === "visible") flush(); }, FLUSH_MS);

  document.addEventListener("copy", function () {
    var selection = document.getSelection();
    var node = selection && selection.anchorNode;
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    if (el && article.contains(el) && el.closest("pre, code")) copied(el, String(selection).length);
  });
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[href]");
    if (!link || link.origin === location.origin || !/^https?:$/.test(link.protocol)) return;
    send({ type: "link", href: link.href.slice(0, 2000) });
    flush(true); // the reader is leaving: a beacon outlives the page
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush(true);
  });
  window.addEventListener("pagehide", function () {
    if (!exited) { exited = true; send({ type: "exit", seconds: totalEngaged }); }
    flush(true);
  });
  restore();
  measureScroll();
})();
