// The case table: rows come from the JSON blob and only the visible ones are in the DOM.
(function () {
  "use strict";
  var ROW_H = 22, OVERSCAN = 10;
  var data = JSON.parse(document.getElementById("cases-data").textContent);
  var col = {};
  data.columns.forEach(function (name, i) { col[name] = i; });
  var rows = data.rows, shown = rows;
  var scroll = document.getElementById("case-scroll"), body = document.getElementById("case-body");
  var count = document.getElementById("case-count"), search = document.getElementById("search");
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-column]"));
  var most = { duration_s: 0, cpu_s: 0, peak_rss_bytes: 0 };
  rows.forEach(function (r) {
    Object.keys(most).forEach(function (k) { var v = r[col[k]]; if (v > most[k]) { most[k] = v; } });
  });

  function text(v) { return v === null || v === undefined ? "" : String(v); }
  function cell(row, value, cls) {
    var span = document.createElement("span");
    span.textContent = value;
    if (cls) { span.className = cls; }
    row.appendChild(span);
    return span;
  }
  function mini(row, r, key, label) {
    var span = cell(row, label, "mini"), v = r[col[key]];
    if (v && most[key] > 0) {
      var bar = document.createElement("i");
      bar.style.width = (100 * v / most[key]).toFixed(1) + "%";
      span.appendChild(bar);
    }
  }
  function mib(v) { return v === null || v === undefined ? "" : (v / 1048576).toFixed(1) + " MiB"; }
  function secs(v) { return v === null || v === undefined ? "" : Number(v).toFixed(2) + " s"; }

  function draw() {
    var first = Math.max(0, Math.floor(scroll.scrollTop / ROW_H) - OVERSCAN);
    var last = Math.min(shown.length, first + Math.ceil(scroll.clientHeight / ROW_H) + 2 * OVERSCAN);
    var frag = document.createDocumentFragment();
    for (var i = first; i < last; i++) {
      var r = shown[i], row = document.createElement("div"), outcome = text(r[col.outcome]);
      row.className = "row " + outcome;
      row.style.top = (i * ROW_H) + "px";
      row.dataset.id = text(r[col.id]);
      row.dataset.group = text(r[col.group]);
      row.title = text(r[col.message]);
      cell(row, text(r[col.id]), "id");
      cell(row, outcome, "o o-" + outcome);
      cell(row, text(r[col.mode]));
      cell(row, text(r[col.step]));
      cell(row, text(r[col.scenario]));
      cell(row, text(r[col.classification]));
      mini(row, r, "duration_s", secs(r[col.duration_s]));
      mini(row, r, "cpu_s", secs(r[col.cpu_s]));
      mini(row, r, "peak_rss_bytes", mib(r[col.peak_rss_bytes]));
      frag.appendChild(row);
    }
    body.replaceChildren(frag);
  }

  function apply() {
    var wanted = selects.map(function (s) { return [col[s.dataset.column], s.value]; })
      .filter(function (w) { return w[1] !== ""; });
    var needle = search.value.trim().toLowerCase();
    shown = rows.filter(function (r) {
      for (var k = 0; k < wanted.length; k++) {
        if (text(r[wanted[k][0]]) !== wanted[k][1]) { return false; }
      }
      return !needle || text(r[col.id]).toLowerCase().indexOf(needle) !== -1;
    });
    body.style.height = (shown.length * ROW_H) + "px";
    scroll.style.height = Math.min(440, Math.max(shown.length, 3) * ROW_H + 2) + "px";
    count.textContent = shown.length + " of " + rows.length + " cases";
    scroll.scrollTop = 0;
    draw();
    document.body.dataset.filtered = String(shown.length);
  }

  var pending = false;
  scroll.addEventListener("scroll", function () {
    if (!pending) { pending = true; requestAnimationFrame(function () { pending = false; draw(); }); }
  });
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  body.addEventListener("click", function (event) {
    var row = event.target.closest(".row");
    var group = row ? row.dataset.group : "";
    if (group && group !== "-1") {
      var target = document.getElementById("failure-" + group);
      if (target) { target.open = true; location.hash = "failure-" + group; }
    }
  });
  document.querySelectorAll("#summary .badge[data-outcome]").forEach(function (badge) {
    badge.addEventListener("click", function () {
      var select = document.getElementById("filter-outcome");
      if (select) { select.value = badge.dataset.outcome; apply(); }
    });
  });

  function copied(button, ok) {
    button.textContent = ok ? "copied" : "copy failed";
    button.dataset.copied = ok ? "yes" : "no";
  }
  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var value = button.dataset.copy;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(value).then(function () { copied(button, true); },
          function () { copied(button, fallback(value)); });
      } else {
        copied(button, fallback(value));
      }
    });
  });
  function fallback(value) {
    var area = document.createElement("textarea");
    area.value = value;
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }

  apply();
  document.body.dataset.ready = "1";
})();
