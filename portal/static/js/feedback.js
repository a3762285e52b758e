/* "Was this page helpful?": turns the plain form into a two-step widget that posts JSON
 * (with the reading session, when the reader allows one) and lets the reader change the
 * answer. Without this script the form posts normally. Optional per-section buttons. */
(function () {
  "use strict";
  var box = document.querySelector("[data-feedback]");
  if (!box || !window.fetch) return;
  var form = box.querySelector("form"), details = box.querySelector("[data-details]");
  var status = box.querySelector("[data-status]"), sendButton = box.querySelector("[data-send]");
  var text = box.querySelector("#feedback-messages").dataset;
  var choice = null;

  box.classList.add("js");
  details.hidden = true;
  sendButton.hidden = false;

  function session() {
    var s = window.signpost && window.signpost.session;
    if (s) return s;
    // Reader opted out of the beacon: a one-off id, so this vote is still counted once.
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function post(vote) {
    vote.session = session();
    vote.page = box.dataset.page;
    vote.lang = box.dataset.lang;
    return fetch(form.action, { method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(vote) })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r; });
  }

  function showReasons(helpful) {
    box.querySelectorAll("[data-reasons]").forEach(function (set) {
      var mine = set.dataset.reasons === (helpful ? "yes" : "no");
      set.hidden = !mine;
      set.querySelectorAll("input").forEach(function (i) { i.disabled = !mine; if (!mine) i.checked = false; });
      var legend = set.querySelector("legend[data-js-text]");  // "(if you said no)" is for the plain form
      if (legend) legend.textContent = legend.dataset.jsText;
    });
    box.querySelector(".feedback-nojs").hidden = true;
    details.hidden = false;
  }

  form.addEventListener("click", function (e) {
    var button = e.target.closest("[data-vote]");
    if (!button) return;
    e.preventDefault();
    choice = button.dataset.vote === "yes";
    box.querySelectorAll("[data-vote]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b === button));
    });
    showReasons(choice);
    // Record the yes/no at once; reasons and comment replace it when sent.
    post({ helpful: choice }).then(function () { status.textContent = text.tell; }, function () {
      status.textContent = text.error;
    });
    var first = details.querySelector("fieldset:not([hidden]) input");
    if (first) first.focus();
  });

  sendButton.addEventListener("click", function () {
    if (choice === null) return;
    var reason = form.querySelector("input[name=reason]:checked");
    var commentBox = form.querySelector("textarea[name=comment]");
    var comment = commentBox.value.trim();
    var vote = { helpful: choice };
    if (reason) vote.reason = reason.value;
    // the limit is the textarea's maxlength, which the server sets from its own limit
    if (comment) vote.comment = comment.slice(0, commentBox.maxLength);
    sendButton.disabled = true;
    post(vote).then(function () {
      details.hidden = true;
      status.textContent = text.thanks;
      var again = document.createElement("button");
      again.type = "button"; again.className = "link-button"; again.textContent = text.change;
      again.addEventListener("click", function () { again.remove(); showReasons(choice); });
      status.appendChild(document.createTextNode(" "));
      status.appendChild(again);
    }, function () {
      status.textContent = text.error;
    }).then(function () { sendButton.disabled = false; });
  });

  if (box.dataset.sections === "on") {
    var template = document.getElementById("section-feedback-template");
    document.querySelectorAll(".doc-body h2[id]").forEach(function (heading) {
      var next = heading.nextElementSibling;  // the control goes at the end of the section
      while (next && next.tagName !== "H2") next = next.nextElementSibling;
      var control = template.content.firstElementChild.cloneNode(true);
      control.querySelectorAll("[data-section-vote]").forEach(function (b) {
        b.addEventListener("click", function () {
          post({ helpful: b.dataset.sectionVote === "yes", section: heading.id }).then(function () {
            control.textContent = text.thanks;
          }, function () { control.textContent = text.error; });
        });
      });
      if (next) next.insertAdjacentElement("beforebegin", control);
      else heading.parentElement.appendChild(control);
    });
  }
})();
