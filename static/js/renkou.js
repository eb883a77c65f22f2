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
