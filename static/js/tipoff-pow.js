/* The public tip-off form's proof of work (renkou/tipoffs/guard.py): before the form is sent,
   find a number n such that SHA-256(puzzle + ":" + n) starts with the required zero bits, and
   send it as "answer". A second or two for one person, a long time for a flood; no CAPTCHA. */
(function () {
  "use strict";
  var form = document.getElementById("tipoff-form");
  if (!form) { return; }
  var bits = parseInt(form.getAttribute("data-pow-bits"), 10) || 16;
  var status = form.querySelector("[data-pow-status]");
  var encoder = new TextEncoder();

  function zeroBits(bytes) {
    for (var i = 0; i < bits; i += 1) {
      if (bytes[i >> 3] & (0x80 >> (i & 7))) { return false; }
    }
    return true;
  }

  async function solve(puzzle) {
    for (var n = 0; ; n += 1) {
      var digest = await crypto.subtle.digest("SHA-256", encoder.encode(puzzle + ":" + n));
      if (zeroBits(new Uint8Array(digest))) { return String(n); }
    }
  }

  form.addEventListener("submit", function (event) {
    var answer = form.elements.answer;
    if (answer.value) { return; }
    event.preventDefault();
    if (!window.crypto || !crypto.subtle) {
      status.textContent = "此浏览器无法完成安全校验，请更换浏览器，或拨打举报电话、来访举报。";
      return;
    }
    status.textContent = "正在进行安全校验，请稍候……";
    solve(form.elements.puzzle.value).then(function (n) {
      answer.value = n;
      status.textContent = "校验完成，正在提交……";
      form.submit();
    });
  });
}());
