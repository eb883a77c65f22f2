// Small behaviours for every page; no inline scripts anywhere (CSP).
(function () {
  "use strict";
  // Selects marked data-autosubmit submit their form on change.
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-autosubmit]")) { e.target.form.requestSubmit(); }
  });
  // Enter moves to the next field (回车跳格) in forms marked data-enter-tab; Enter on the
  // last field submits.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.isComposing) { return; }
    var form = e.target.form;
    if (!form || !form.hasAttribute("data-enter-tab") || e.target.tagName === "TEXTAREA" || e.target.type === "submit") { return; }
    var fields = Array.prototype.filter.call(form.elements, function (el) {
      return !el.disabled && el.type !== "hidden" && el.offsetParent !== null && el.tagName !== "BUTTON";
    });
    var i = fields.indexOf(e.target);
    if (i > -1 && i < fields.length - 1) { e.preventDefault(); fields[i + 1].focus(); }
  });
  // Buttons with data-confirm ask first (确定要…吗？).
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); e.stopPropagation(); }
  }, true);
})();
// System pages: progress bars take their width from data-progress (style="" is not allowed
// under the CSP, but setting the property from a script is); re-applied after htmx swaps.
(function () {
  "use strict";
  function bars(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("[data-progress]").forEach(function (el) {
      var pct = Math.max(0, Math.min(100, parseInt(el.getAttribute("data-progress"), 10) || 0));
      el.style.width = pct + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bars(document); });
  document.addEventListener("htmx:load", function (e) { bars(e.target); });
  // Buttons with data-copy="#selector" copy that element's text (e.g. an initial password).
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-copy]");
    if (!btn) { return; }
    var source = document.querySelector(btn.getAttribute("data-copy"));
    if (!source) { return; }
    var text = source.textContent.trim();
    var done = function () { btn.innerHTML = '<i class="bi bi-check2"></i> 已复制'; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (document.execCommand("copy")) { done(); }
    }
  });
})();
// htmx "settles" some attributes of elements kept across a swap by re-setting them; a style
// attribute (e.g. an empty one left by a browser tool) would then be re-applied and refused by
// the CSP. Settle classes only; no page uses style attributes.
if (window.htmx) { window.htmx.config.attributesToSettle = ["class", "width", "height"]; }
// Person entry (身份证号优先, ecosystem.md §4): the ID-check fragment carries the birth date and
// sex the number encodes in data- attributes; copy them into the form. The override-reason row
// is shown only while the number fails a check that a reason may override; when the corrected
// number passes, the row hides and its text is emptied, so that Enter (回车跳格) does not lead
// into it and nothing typed there is saved as a reason.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (e) {
    var box = e.detail && e.detail.target;
    if (!box || box.id !== "id-check") { return; }
    var info = box.querySelector("[data-id-check]");
    var form = box.closest("form");
    if (!form) { return; }
    if (info && info.dataset.birth && form.elements.birth_date) { form.elements.birth_date.value = info.dataset.birth; }
    if (info && info.dataset.sex && form.elements.sex) { form.elements.sex.value = info.dataset.sex; }
    var row = document.getElementById("override-row");
    if (!row || !info) { return; }  // a number not yet complete says nothing either way
    var needed = Boolean(info.dataset.override);
    row.classList.toggle("d-none", !needed);
    if (!needed && form.elements.id_override_reason) { form.elements.id_override_reason.value = ""; }
  });
})();

// Buttons marked data-print open the browser's print dialog (the monthly report, benefit
// notices and printouts, the service network table): one handler for every page, no inline
// script.
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) { window.print(); }
});
