// Dashboard (首页) and big screen (数据大屏) charts, drawn by ECharts (npm, served as static
// files). The figures come from the JSON in the data-json attribute of #dashboard-data (a
// <script type="application/json"> block would need a nonce under the CSP); the big screen
// fetches them again from its data-refresh-url every few minutes.
// No inline scripts or style attributes (CSP): styles are set through the DOM only.
(function () {
  "use strict";
  var charts = {};
  var OK = "#52c41a", BAD = "#f5222d", PLAIN = "#1890ff";

  function bigScreen() { return document.body.classList.contains("bigscreen"); }

  function read() {
    var el = document.getElementById("dashboard-data");
    return el ? JSON.parse(el.getAttribute("data-json")) : null;
  }

  function blank(value) { return value === null || value === undefined ? "-" : value; }

  // A tooltip formatter's string is inserted as HTML: every value in it (a unit name is typed
  // by an administrator) is escaped first. Text drawn on the canvas (axis labels, bar labels,
  // legends) is not HTML and is left as it is.
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }

  // Axis text large enough to read across the room on the big screen.
  function axis(options) {
    var size = bigScreen() ? 16 : 12;
    options.axisLabel = { fontSize: size };
    options.nameTextStyle = { fontSize: size };
    return options;
  }

  function chart(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return null; }
    if (!charts[id]) {
      charts[id] = window.echarts.init(el, bigScreen() ? "dark" : null);
      // Every number leads to its table or list (the dashboard; the big screen is read-only).
      charts[id].on("click", function (p) {
        if (!bigScreen() && p.data && p.data.link) { window.location.href = p.data.link; }
      });
    }
    return charts[id];
  }

  function drawTrend(data) {
    var c = chart("chart-trend");
    if (!c) { return; }
    var t = data.trend;
    var big = bigScreen();
    c.setOption({
      backgroundColor: "transparent",
      textStyle: { fontSize: big ? 18 : 12 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["出生人数", "出生人口性别比"], textStyle: { fontSize: big ? 18 : 12 } },
      grid: { left: 56, right: 64, top: 56, bottom: 36 },
      xAxis: axis({ type: "category", data: t.labels }),
      yAxis: [
        axis({ type: "value", name: "出生（人）", minInterval: 1 }),
        axis({ type: "value", name: "性别比", scale: true })
      ],
      series: [
        { name: "出生人数", type: "bar", itemStyle: { color: PLAIN },
          // A month not yet over is drawn pale with a dashed edge: its count is not a month's.
          data: t.births.map(function (v, i) {
            var item = { value: v, link: t.birth_links[i] || t.table_links[i] };
            if (t.partial && t.partial[i]) { item.itemStyle = { color: PLAIN, opacity: 0.35, borderColor: PLAIN, borderType: "dashed", borderWidth: 2 }; }
            return item;
          }) },
        { name: "出生人口性别比", type: "line", yAxisIndex: 1, itemStyle: { color: "#fa8c16" },
          markArea: { silent: true, itemStyle: { color: "rgba(82,196,26,0.12)" }, data: [[{ yAxis: 103 }, { yAxis: 107 }]] },
          data: t.sex_ratio.map(function (v, i) { return { value: blank(v), link: t.table_links[i] }; }) }
      ]
    }, true);
  }

  function drawRank(data) {
    var c = chart("chart-rank");
    if (!c) { return; }
    // Highest first: a category axis draws from the bottom, so the rows go in reversed.
    var rows = data.ranking.rows.slice().reverse();
    var big = bigScreen();
    c.setOption({
      backgroundColor: "transparent",
      textStyle: { fontSize: big ? 18 : 12 },
      tooltip: { trigger: "item", formatter: function (p) { return esc(p.name) + "：" + esc(p.data.display); } },
      grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
      xAxis: axis({ type: "value" }),
      yAxis: axis({ type: "category", data: rows.map(function (r) { return r.name; }) }),
      series: [{
        type: "bar",
        label: { show: true, position: "right", fontSize: big ? 16 : 12, formatter: function (p) { return p.data.display; } },
        data: rows.map(function (r) {
          var met = r.target ? r.target.met : null;
          return { value: blank(r.value), display: r.display, link: r.link,
                   itemStyle: { color: met === true ? OK : (met === false ? BAD : PLAIN) } };
        })
      }]
    }, true);
  }

  function setText(el, text) { if (el) { el.textContent = text; } }

  function fillBigScreen(data) {
    data.headline.forEach(function (card) {
      var box = document.querySelector('.bs-kpi[data-code="' + card.code + '"]');
      if (!box) { return; }
      setText(box.querySelector('[data-field="display"]'), card.display);
      setText(box.querySelector('[data-field="target"]'),
              card.target ? "目标 " + card.target.display + " · " + card.target.label : "");
    });
    var list = document.getElementById("dash-alerts");
    if (list) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      (data.alerts.length ? data.alerts : [{ text: "暂无预警", level: "none" }]).forEach(function (a) {
        var li = document.createElement("li");
        li.className = "dash-alert-" + a.level;
        li.textContent = a.text;
        list.appendChild(li);
      });
    }
    setText(document.getElementById("bs-updated"), data.generated_at.slice(11, 16));
    setText(document.getElementById("bs-trend-note"), data.trend.note || "");
    setText(document.getElementById("bs-rank-title"), (data.part_label || "下级单位") + "对比：" + data.ranking.name);
  }

  function draw(data) {
    drawTrend(data);
    if (data.parts.length) { drawRank(data); }
    if (bigScreen()) { fillBigScreen(data); }
  }

  function refresh(stage) {
    var status = document.getElementById("bs-status");
    fetch(stage.getAttribute("data-refresh-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        if (!r.ok || type.indexOf("application/json") === -1) { throw new Error("not json"); }
        return r.json();
      })
      .then(function (data) { draw(data); setText(status, ""); })
      .catch(function () { setText(status, "（数据更新失败，稍后重试）"); });
  }

  function fit(stage) {
    var scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    stage.style.transform = "scale(" + scale + ")";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = read();
    if (!data) { return; }
    draw(data);
    var stage = document.getElementById("bs-stage");
    if (stage) {
      fit(stage);
      var seconds = parseInt(stage.getAttribute("data-refresh-seconds"), 10) || 300;
      window.setInterval(function () { refresh(stage); }, seconds * 1000);
    }
    window.addEventListener("resize", function () {
      if (stage) { fit(stage); }
      Object.keys(charts).forEach(function (id) { charts[id].resize(); });
    });
  });
})();
