(function () {
  "use strict";
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };
  each(document.querySelectorAll(".js-only"), function (e) { e.hidden = false; });

  var list = document.getElementById("issue-list");
  var family = document.getElementById("filter-family");
  var impact = document.getElementById("filter-impact");
  var order = document.getElementById("sort-issues");
  if (list && family && impact && order) {
    var apply = function () {
      var cards = Array.prototype.slice.call(list.querySelectorAll(".issue-group"));
      cards.forEach(function (c) {
        c.hidden = (family.value !== "" && c.getAttribute("data-family") !== family.value) ||
          (impact.value !== "" && c.getAttribute("data-impact") !== impact.value);
      });
      var key = order.value === "pages" ? "data-pages" : "data-gain";
      var number = function (c, k) { return parseFloat(c.getAttribute(k)) || 0; };
      cards.sort(function (a, b) {
        return (number(b, "data-veto") - number(a, "data-veto")) || (number(b, key) - number(a, key));
      });
      cards.forEach(function (c) { list.appendChild(c); });
    };
    [family, impact, order].forEach(function (s) { s.addEventListener("change", apply); });
    // The list opens in the order its sort control names, not in the order it was written.
    apply();
  }

  // Printing (or saving as PDF) shows everything: every collapsed section opened and every
  // filtered-out issue shown, put back as they were afterwards.
  var opened = [];
  var unhidden = [];
  window.addEventListener("beforeprint", function () {
    each(document.querySelectorAll("details:not([open])"), function (d) { d.open = true; opened.push(d); });
    if (list) {
      each(list.querySelectorAll(".issue-group[hidden]"), function (c) { c.hidden = false; unhidden.push(c); });
    }
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    unhidden.forEach(function (c) { c.hidden = true; });
    opened = [];
    unhidden = [];
  });

  each(document.querySelectorAll("table.sortable"), function (table) {
    each(table.querySelectorAll("th[data-sort]"), function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      var descending = false;
      button.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = th.getAttribute("data-sort") === "number";
        var value = function (row) {
          var v = row.cells[column].getAttribute("data-value") || "";
          var n = parseFloat(v);
          return numeric ? (isNaN(n) ? -Infinity : n) : v;
        };
        descending = !descending;
        rows.sort(function (a, b) {
          var x = value(a), y = value(b);
          var c = numeric ? x - y : String(x).localeCompare(String(y), "zh-CN");
          return descending ? -c : c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        each(table.querySelectorAll("th"), function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      });
    });
  });

  var exportButton = document.getElementById("export-checklist");
  var checklist = document.getElementById("checklist-table");
  if (exportButton && checklist) {
    exportButton.addEventListener("click", function () {
      var items = Array.prototype.map.call(checklist.tBodies[0].rows, function (row) {
        return {
          item: row.cells[0].textContent.trim(),
          requirement: row.cells[1].textContent.trim(),
          verified: row.querySelector("input").checked
        };
      });
      var data = { site: checklist.getAttribute("data-site"), exported_at: new Date().toISOString(), items: items };
      var link = document.createElement("a");
      link.href = "data:application/json;charset=utf-8," + encodeURIComponent(JSON.stringify(data, null, 2));
      link.download = "self-assessment.json";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }
})();
