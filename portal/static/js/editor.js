/* Editor live preview: renders through the server's own Markdown pipeline (POST /write/preview).
   Without JavaScript the editor is a plain form; with it, a preview pane appears next to the
   textarea and follows the text, debounced. */
(function () {
  "use strict";
  var DELAY = 350;
  var text = document.querySelector("textarea.editor-text[data-preview-url]");
  var pane = document.querySelector(".preview-pane");
  if (!text || !pane || !window.fetch) { return; }
  var body = pane.querySelector(".preview-body");
  var status = pane.querySelector(".preview-status");
  var timer = null, sent = 0, shown = 0;
  pane.hidden = false;
  document.querySelector(".editor-panes").classList.add("with-preview");

  function say(key) { status.textContent = status.getAttribute("data-" + key) || ""; }

  function refresh() {
    var mine = ++sent;
    say("updating");
    fetch(text.getAttribute("data-preview-url"), {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": text.getAttribute("data-csrf")},
      body: JSON.stringify({markdown: text.value, slug: text.getAttribute("data-slug"),
                            lang: text.getAttribute("data-lang")})
    }).then(function (r) {
      if (!r.ok) { throw new Error("preview " + r.status); }
      return r.json();
    }).then(function (data) {
      if (mine < shown) { return; }  // an older answer arriving late
      shown = mine;
      body.innerHTML = data.html;  // sanitised by the server (nh3), like the reader page
      say("updated");
    }).catch(function () { say("failed"); });
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY);
  });
  refresh();
}());
