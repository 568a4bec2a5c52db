// 统计分析: draws every figure of the page with ECharts from the JSON the page carries (no inline script:
// the Content-Security-Policy allows only the portal's own files). The numbers are the tables beneath each chart.
(function () {
  "use strict";
  var source = document.getElementById("statistics-data");
  if (!source || !window.echarts) return;
  var figures = JSON.parse(source.textContent);
  var HBAR_LIMIT = 20;
  var charts = [];

  function labels(f) { return f.rows.map(function (r) { return String(r[0]); }); }
  function column(f, i) { return f.rows.map(function (r) { return r[i]; }); }
  function legend(f) {
    return f.series.length > 1 ? { top: 0, type: "scroll", data: f.series.map(function (i) { return f.columns[i]; }) } : undefined;
  }
  function bars(f, horizontal) {
    var rows = horizontal ? f.rows.slice(0, HBAR_LIMIT).reverse() : f.rows;
    var g = { rows: rows };
    var category = { type: "category", data: labels(g), axisLabel: { interval: 0, width: horizontal ? 110 : (rows.length <= 3 ? 160 : 80), overflow: rows.length <= 3 ? "break" : "truncate", rotate: horizontal || rows.length <= 6 ? 0 : 30 } };
    var value = { type: "value", minInterval: 1 };
    return {
      legend: legend(f),
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 16, top: f.series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: f.series.map(function (i) {
        return { name: f.columns[i], type: "bar", stack: f.stacked ? "all" : undefined, data: column(g, i), barMaxWidth: 28 };
      })
    };
  }
  var builders = {
    bar: function (f) { return bars(f, false); },
    hbar: function (f) { return bars(f, true); },
    pie: function (f) {
      return {
        tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
        series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "50%"], label: { formatter: "{b}\n{c}" },
          data: f.rows.map(function (r) { return { name: String(r[0]), value: r[1] }; }) }]
      };
    },
    funnel: function (f) {
      return {
        tooltip: { trigger: "item", formatter: "{b}：{c}" },
        series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", top: 8, bottom: 8, minSize: "8%",
          label: { position: "inside", formatter: "{b} {c}" },
          data: f.rows.map(function (r) { return { name: String(r[0]), value: r[1] }; }) }]
      };
    },
    daily: function (f) {
      return {
        legend: { top: 0 },
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: labels(f).map(function (d) { return d.slice(5); }) },
        yAxis: [{ type: "value", name: f.columns[1], minInterval: 1 }, { type: "value", name: f.columns[2], minInterval: 1 }],
        series: [
          { name: f.columns[1], type: "bar", data: column(f, 1), barMaxWidth: 18 },
          { name: f.columns[2], type: "line", yAxisIndex: 1, data: column(f, 2), symbolSize: 4 }
        ]
      };
    },
    heatmap: function (f) {
      var bands = f.columns.slice(1);
      var data = [];
      var max = 1;
      f.rows.forEach(function (r, y) {
        bands.forEach(function (_b, x) { data.push([x, y, r[x + 1]]); max = Math.max(max, r[x + 1]); });
      });
      return {
        tooltip: { formatter: function (p) { return f.rows[p.value[1]][0] + " · " + bands[p.value[0]] + " 分：" + p.value[2] + " 份"; } },
        grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
        xAxis: { type: "category", data: bands, name: "总分", nameLocation: "middle", nameGap: 22 },
        yAxis: { type: "category", data: labels(f), axisLabel: { width: 90, overflow: "truncate" } },
        visualMap: { min: 0, max: max, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 80, itemWidth: 10,
          inRange: { color: ["#f4f8fd", "#0d6efd"] } },
        series: [{ type: "heatmap", data: data, label: { show: true, formatter: function (p) { return p.value[2] || ""; } } }]
      };
    }
  };

  figures.forEach(function (f) {
    var el = document.querySelector('[data-chart="' + f.key + '"]');
    var build = builders[f.kind];
    if (!el || !build || !f.rows.length) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var option = build(f);
    option.animation = false;
    option.color = ["#0d6efd", "#fd7e14", "#adb5bd", "#198754", "#6f42c1", "#d63384", "#20c997", "#ffc107"];
    chart.setOption(option);
    el.dataset.drawn = "1";
    charts.push(chart);
  });

  function resizeAll() { charts.forEach(function (c) { c.resize(); }); }
  window.addEventListener("resize", resizeAll);
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener) print.addEventListener("change", resizeAll);
  }
})();
