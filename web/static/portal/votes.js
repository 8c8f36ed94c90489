// The council's meeting (formKey "thidua:votes"): counts the members ticked present and says,
// as the secretary types, whether the quorum is reached and whether each nominee passes under
// the pass rule the server wrote into #pass-rule. The server decides again on submit.
(function () {
  "use strict";
  function number(text) {
    var parts = String(text || "").split("/");
    return parts.length === 2 ? Number(parts[0]) / Number(parts[1]) : Number(text);
  }
  function show(badge, state, good) {
    if (!badge) return;
    badge.classList.remove("d-none", "text-bg-success", "text-bg-danger", "text-bg-secondary");
    if (state === null) { badge.classList.add("d-none"); badge.textContent = ""; return; }
    badge.classList.add(state ? "text-bg-success" : good);
    badge.textContent = state ? badge.dataset.yes : badge.dataset.no;
  }
  function present() {
    var boxes = document.querySelectorAll(".member-present");
    if (boxes.length) return document.querySelectorAll(".member-present:checked").length;
    var field = document.getElementById("field-present");
    return field && /^\d+$/.test(field.value) ? Number(field.value) : null;
  }
  function update() {
    var rule = document.getElementById("pass-rule");
    var count = present();
    var shown = document.querySelector(".present-number");
    if (shown && count !== null) shown.textContent = count;
    if (!rule) return;
    var members = Number(rule.dataset.members), needed = Number(rule.dataset.needed);
    var known = count !== null && count <= members;
    show(document.getElementById("quorum-state"), known ? members > 0 && count >= needed : null, "text-bg-danger");
    var threshold = number(rule.dataset.threshold), atLeast = rule.dataset.atLeast === "true";
    var base = rule.dataset.basis === "members" ? members : count;
    document.querySelectorAll("#votes-table tbody tr").forEach(function (row) {
      var input = row.querySelector(".vote-for");
      var votes = input && /^\d+$/.test(input.value) ? Number(input.value) : null;
      var state = null;
      if (known && votes !== null && votes <= count) {
        var share = base ? votes / base : 0;
        state = base > 0 && (atLeast ? share >= threshold - 1e-9 : share > threshold + 1e-9);
      }
      show(row.querySelector(".row-result .badge"), state, "text-bg-secondary");
    });
  }
  document.addEventListener("input", function (event) {
    if (event.target.closest("#task-form")) update();
  });
  document.addEventListener("change", function (event) {
    if (event.target.closest("#task-form")) update();
  });
})();
