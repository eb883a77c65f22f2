/* The public tip-off form's proof of work (renkou/tipoffs/guard.py): before the form is sent,
   find a number n such that SHA-256(puzzle + ":" + n) starts with the required zero bits, and
   send it as "answer". A second or two for one person, a long time for a flood; no CAPTCHA.

   SHA-256 is computed here (FIPS 180-4) rather than by Web Crypto: browsers offer
   crypto.subtle only on HTTPS or localhost, and a county intranet may serve plain HTTP. */
(function () {
  "use strict";
  var form = document.getElementById("tipoff-form");
  if (!form) { return; }
  var bits = parseInt(form.getAttribute("data-pow-bits"), 10) || 16;
  var status = form.querySelector("[data-pow-status]");

  // The round constants and the initial hash: the first 32 bits of the fractional parts of
  // the cube roots of the first 64 primes and of the square roots of the first 8.
  var K = [];
  var H0 = [];
  function fraction(x) { return ((x - Math.floor(x)) * 0x100000000) | 0; }
  function isPrime(n) {
    for (var d = 2; d * d <= n; d += 1) { if (n % d === 0) { return false; } }
    return true;
  }
  for (var p = 2; K.length < 64; p += 1) {
    if (isPrime(p)) {
      if (H0.length < 8) { H0.push(fraction(Math.sqrt(p))); }
      K.push(fraction(Math.cbrt(p)));
    }
  }
  function ror(x, n) { return (x >>> n) | (x << (32 - n)); }

  function ascii(text) {  // the puzzle is a signed token of ASCII characters
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i += 1) { out[i] = text.charCodeAt(i) & 0xff; }
    return out;
  }

  function sha256(bytes) {
    var length = bytes.length;
    var total = ((length + 9 + 63) >> 6) << 6;
    var message = new Uint8Array(total);
    message.set(bytes);
    message[length] = 0x80;
    var view = new DataView(message.buffer);
    view.setUint32(total - 8, Math.floor(length / 0x20000000));
    view.setUint32(total - 4, (length << 3) >>> 0);
    var h = H0.slice();
    var w = new Int32Array(64);
    for (var offset = 0; offset < total; offset += 64) {
      var i;
      for (i = 0; i < 16; i += 1) { w[i] = view.getInt32(offset + i * 4); }
      for (i = 16; i < 64; i += 1) {
        var x = w[i - 15];
        var y = w[i - 2];
        var s0 = ror(x, 7) ^ ror(x, 18) ^ (x >>> 3);
        var s1 = ror(y, 17) ^ ror(y, 19) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i += 1) {
        var t1 = (k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    return h;  // eight 32-bit words, big-endian order
  }

  function zeroBits(words) {
    for (var i = 0; i < bits; i += 1) {
      if ((words[i >> 5] >>> (31 - (i & 31))) & 1) { return false; }
    }
    return true;
  }

  function solve(puzzle) {
    for (var n = 0; ; n += 1) {
      if (zeroBits(sha256(ascii(puzzle + ":" + n)))) { return String(n); }
    }
  }

  // For a check against Python's hashlib (tests): the hex digest of an ASCII text.
  window.renkouSha256Hex = function (text) {
    return sha256(ascii(text)).map(function (word) {
      return ("00000000" + (word >>> 0).toString(16)).slice(-8);
    }).join("");
  };

  form.addEventListener("submit", function (event) {
    var answer = form.elements.answer;
    if (answer.value) { return; }
    event.preventDefault();
    status.textContent = "正在进行安全校验，请稍候……";
    window.setTimeout(function () {  // let the message paint before the search
      answer.value = solve(form.elements.puzzle.value);
      status.textContent = "校验完成，正在提交……";
      form.submit();
    }, 30);
  });
}());
