// Insights tables: a quick text filter over the rows (the server-side sort links and filter
// form work without this script; it only saves a round trip when looking for one page).
(function () {
  "use strict";
  document.querySelectorAll("table[data-filterable]").forEach(function (table, index) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var wrap = document.createElement("p");
    wrap.className = "table-filter";
    var id = "table-filter-" + index;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = (table.getAttribute("data-filter-label") || "Find in this table") + " ";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(status);
    var container = table.closest(".table-scroll") || table;
    container.parentNode.insertBefore(wrap, container);
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var match = !needle || row.textContent.toLowerCase().indexOf(needle) !== -1;
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = String(shown);
    });
  });
})();
