// Benefit pages: buttons with data-print open the browser's print dialog (no inline script).
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) { window.print(); }
});
