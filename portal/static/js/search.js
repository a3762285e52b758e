// As-you-type suggestions for the header search box: an ARIA combobox over the plain form.
// Without JavaScript the form still submits to the results page.
(function () {
  "use strict";

  var MIN_CHARS = 2;
  var DELAY_MS = 120;

  function setUp(input) {
    var form = input.form;
    var lang = new URL(form.action, window.location.href).pathname.split("/")[1] || "en";
    var list = document.createElement("ul");
    var status = document.createElement("div");
    var timer = null;
    var active = -1;
    var items = [];
    var lastQuery = "";
    var pending = null;

    list.id = "header-q-list";
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("placeholder") || "");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.appendChild(list);
    form.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      items.forEach(function (item, i) {
        item.el.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].el.id);
        items[index].el.scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function option(label, detail, url, index) {
      var li = document.createElement("li");
      li.id = "header-q-option-" + index;
      li.className = "suggest-option";
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var title = document.createElement("span");
      title.className = "suggest-title";
      title.textContent = label;
      li.appendChild(title);
      if (detail) {
        var small = document.createElement("span");
        small.className = "suggest-detail";
        small.textContent = detail;
        li.appendChild(small);
      }
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();  // keep focus in the input until we navigate
        window.location.href = url;
      });
      li.addEventListener("mousemove", function () {
        if (active !== index) { highlight(index); }
      });
      return {el: li, url: url};
    }

    function render(query, suggestions) {
      list.textContent = "";
      items = suggestions.map(function (s, i) {
        return option(s.title, s.section, s.url, i);
      });
      // The form's own fields (the beacon may add its session) with what was typed.
      var params = new URLSearchParams(new FormData(form));
      params.set("q", query);
      var allUrl = form.action + "?" + params.toString();
      // Last option: the full results page for what was typed (language-neutral arrow).
      var all = option("\u2192 " + query, "", allUrl, items.length);
      all.el.classList.add("suggest-all");
      items.push(all);
      items.forEach(function (item) { list.appendChild(item.el); });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(-1);
      status.textContent = suggestions.length + " \u2193";
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query.length < MIN_CHARS) { close(); lastQuery = ""; return; }
      if (query === lastQuery && !list.hidden) { return; }
      lastQuery = query;
      if (pending) { pending.abort(); }
      pending = new AbortController();
      var url = "/api/v1/search/suggest?lang=" + encodeURIComponent(lang) +
        "&limit=6&q=" + encodeURIComponent(query);
      fetch(url, {signal: pending.signal, headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && input.value.trim() === query && document.activeElement === input) {
            render(query, data.suggestions || []);
          }
        })
        .catch(function () { /* offline or aborted: the plain form still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) { fetchSuggestions(); return; }
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = active + step;
        if (next < -1) { next = items.length - 1; }
        if (next >= items.length) { next = -1; }
        highlight(next);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        window.location.href = items[active].url;
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function init() {
    var input = document.getElementById("header-q");
    if (input && input.form && window.fetch && window.URL) { setUp(input); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
