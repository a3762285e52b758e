// Signpost reader UI: language switch keeps the section, mobile navigation toggle.
(function () {
  "use strict";

  // Keep the reader's #section when switching language.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-keep-hash]");
    if (link && window.location.hash) {
      link.href = link.href.split("#")[0] + window.location.hash;
    }
  });

  // On narrow screens the sidebar collapses behind a menu button.
  function setUpNavToggle() {
    var button = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (!button || !nav) { return; }
    button.hidden = false;
    document.body.classList.add("js-nav");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", String(!open));
      document.body.classList.toggle("nav-open", !open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
        button.setAttribute("aria-expanded", "false");
        document.body.classList.remove("nav-open");
        button.focus();
      }
    });
  }

  // Scroll the current page into view inside a long sidebar.
  function revealCurrent() {
    var nav = document.getElementById("site-nav");
    var current = nav && nav.querySelector("[aria-current=page]");
    if (current && nav.scrollHeight > nav.clientHeight) {
      nav.scrollTop = Math.max(0, current.offsetTop - nav.clientHeight / 2);
    }
  }

  // Tabs from pymdownx (alternate style) need their radio inputs to be reachable.
  function setUpTabs() {
    document.querySelectorAll(".tabbed-set").forEach(function (set) {
      set.querySelectorAll(".tabbed-labels > label").forEach(function (label) {
        label.tabIndex = 0;
        label.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); label.click(); }
        });
      });
    });
  }

  // A copy button on every code block; the beacon counts copies (when allowed).
  function setUpCopyButtons() {
    var labels = document.body.dataset;
    if (!navigator.clipboard || !labels.copyLabel) return;
    document.querySelectorAll(".doc-body pre").forEach(function (pre) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = labels.copyLabel;
      button.setAttribute("aria-label", labels.copyCode);
      button.addEventListener("click", function () {
        var text = pre.innerText;
        navigator.clipboard.writeText(text).then(function () {
          button.textContent = labels.copiedLabel;
          setTimeout(function () { button.textContent = labels.copyLabel; }, 1500);
          if (window.signpost && window.signpost.copied) window.signpost.copied(pre, text.length);
        });
      });
      pre.parentElement.classList.add("has-copy");
      pre.insertAdjacentElement("beforebegin", button);
    });
  }

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () { setUpNavToggle(); setUpTabs(); revealCurrent(); setUpCopyButtons(); });
})();
