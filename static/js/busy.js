// Every POST shows that it is working (issue 11 item 10): once a form is sent its submit
// buttons are disabled (no second click sends it twice) and the clicked one shows a spinner
// and "处理中…", until the next page arrives, htmx has its answer, or, for a form whose answer
// is a file (the bank file, an export), the download has started (the server sets the
// renkou_download cookie to the token this script sent). No inline script anywhere (CSP).
(function () {
  "use strict";
  var COOKIE = "renkou_download";
  var SUBMITS = "button[type=submit], button:not([type]), input[type=submit]";

  function busy(form, clicked) {
    var buttons = form.querySelectorAll(SUBMITS);
    var shown = clicked || buttons[0];
    buttons.forEach(function (b) { b.disabled = true; });
    if (shown && shown.tagName === "BUTTON" && !shown.hasAttribute("data-busy-html")) {
      shown.setAttribute("data-busy-html", shown.innerHTML);
      shown.innerHTML = '<span class="spinner-border spinner-border-sm" aria-hidden="true"></span> 处理中…';
    }
    form.setAttribute("aria-busy", "true");
    form.classList.add("is-busy");
  }

  function idle(form) {
    form.querySelectorAll(SUBMITS).forEach(function (b) {
      b.disabled = false;
      if (b.hasAttribute("data-busy-html")) {
        b.innerHTML = b.getAttribute("data-busy-html");
        b.removeAttribute("data-busy-html");
      }
    });
    form.removeAttribute("aria-busy");
    form.classList.remove("is-busy");
  }

  function token() {
    var chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    var out = "";
    var values = new Uint32Array(16);
    window.crypto.getRandomValues(values);
    values.forEach(function (v) { out += chars.charAt(v % chars.length); });
    return out;
  }

  function cookie() {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(COOKIE + "=") === 0; })[0];
    return found ? found.slice(COOKIE.length + 1) : "";
  }

  // A file answer leaves the page as it is: wait for the token to come back, then free the form.
  function watchDownload(form, sent) {
    var started = Date.now();
    var timer = window.setInterval(function () {
      if (cookie() === sent || Date.now() - started > 300000) {
        window.clearInterval(timer);
        document.cookie = COOKIE + "=; Max-Age=0; path=/; SameSite=Strict";
        idle(form);
      }
    }, 300);
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") { return; }
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) { return; }  // htmx: below
    var sent = token();
    var field = form.querySelector("input[name=download_token]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "download_token";
      form.appendChild(field);
    }
    field.value = sent;
    var clicked = e.submitter;
    // After this event the browser has read the form: disabling the clicked button now would
    // drop its name and value (e.g. action=approve) from what is sent.
    window.setTimeout(function () { busy(form, clicked); watchDownload(form, sent); }, 0);
  });

  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail && e.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest("form"));
    var verb = e.detail && e.detail.requestConfig && e.detail.requestConfig.verb;
    if (form && verb === "post") { busy(form, e.detail.requestConfig.triggeringEvent && e.detail.requestConfig.triggeringEvent.submitter); }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail && e.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest("form"));
    if (form && form.hasAttribute("aria-busy")) { idle(form); }
  });
  // Back to a page kept by the browser (bfcache): nothing is being sent any more.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) { document.querySelectorAll("form[aria-busy]").forEach(idle); }
  });
})();
