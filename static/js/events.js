// Change-event pages; no inline scripts anywhere (CSP).
(function () {
  "use strict";
  // A header checkbox data-check-all="<name>" ticks or clears every checkbox of that name in
  // its form (the review queue's 全选).
  document.addEventListener("change", function (e) {
    var all = e.target.closest("[data-check-all]");
    if (!all || !all.form) { return; }
    var name = all.getAttribute("data-check-all");
    Array.prototype.forEach.call(all.form.elements, function (el) {
      if (el.type === "checkbox" && el.name === name) { el.checked = all.checked; }
    });
  });
})();
