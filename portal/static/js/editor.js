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
  var altNotice = pane.querySelector(".alt-notice");
  var timer = null, sent = 0, shown = 0, altShown = "[]";
  pane.hidden = false;
  document.querySelector(".editor-panes").classList.add("with-preview");

  function say(key) { status.textContent = status.getAttribute("data-" + key) || ""; }

  function paragraph(text) {
    var p = document.createElement("p");
    p.textContent = text;
    return p;
  }

  /* Lists the images without alt text; rebuilt only when the list changes, so the status
     region does not announce the same notice on every keystroke. */
  function showMissingAlt(images) {
    var key = JSON.stringify(images || []);
    if (!altNotice || key === altShown) { return; }
    altShown = key;
    altNotice.textContent = "";
    if (!images || !images.length) { return; }
    var box = document.createElement("div"), list = document.createElement("ul");
    box.className = "notice";
    box.appendChild(paragraph(altNotice.getAttribute("data-intro") || ""));
    images.forEach(function (image) {
      var item = document.createElement("li"), code = document.createElement("code");
      code.textContent = image.src;
      item.appendChild(code);
      list.appendChild(item);
    });
    box.appendChild(list);
    var hint = paragraph((altNotice.getAttribute("data-hint") || "") + " ");
    var example = document.createElement("code");
    example.textContent = altNotice.getAttribute("data-example") || "";
    hint.appendChild(example);
    box.appendChild(hint);
    altNotice.appendChild(box);
  }

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
      showMissingAlt(data.image_alt_missing);
      say("updated");
    }).catch(function () { say("failed"); });
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY);
  });
  refresh();
}());
