/* Charts of the statistics pages (ECharts, vendored). The numbers come from a
   json_script block; the tables beside the charts carry the same numbers for
   readers without JavaScript or a screen. Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML
   tooltips carry style="" attributes, which the Content-Security-Policy refuses. */
(function () {
  "use strict";
  if (!window.echarts) return;

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(el);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
  }

  // Light to dark red by score: a cause (score at or above the line) stands out.
  function scoreColour(i, n) {
    var t = n > 1 ? i / (n - 1) : 1;
    var r = Math.round(244 - (244 - 145) * t), g = Math.round(238 - (238 - 32) * t), b = Math.round(236 - (236 - 24) * t);
    return "rgb(" + r + "," + g + "," + b + ")";
  }

  var stats = read("stats-data");
  if (stats) {
    draw("factor-chart", {
      animationDuration: 300,
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" }, confine: true },
      legend: { type: "scroll", bottom: 0, formatter: function (name) { return name + "分"; } },
      grid: { left: 8, right: 16, top: 8, bottom: 48, containLabel: true },
      xAxis: { type: "value", name: "户数" },
      yAxis: { type: "category", data: stats.factors, inverse: true },
      series: stats.scores.map(function (score, i) {
        return {
          name: score, type: "bar", stack: "户数",
          itemStyle: { color: scoreColour(i, stats.scores.length) },
          data: stats.counts.map(function (row) { return row[i]; }),
        };
      }),
    });
    if (stats.places.length > 1) {
      var colours = ["#b42318", "#f79009", "#2e90fa", "#98a2b3"];
      draw("circle-chart", {
        animationDuration: 300,
        tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" }, confine: true },
        legend: { bottom: 0 },
        grid: { left: 8, right: 16, top: 8, bottom: 64, containLabel: true },
        xAxis: { type: "category", data: stats.places, axisLabel: { rotate: 40, interval: 0 } },
        yAxis: { type: "value", name: "户数" },
        series: stats.circle_labels.map(function (label, i) {
          return { name: label, type: "bar", stack: "户数", itemStyle: { color: colours[i] },
                   data: stats.circles.map(function (row) { return row[i]; }) };
        }),
      });
    }
  }

  var af = read("af-data");
  if (af) {
    draw("af-contribution", {
      animationDuration: 300,
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + "%"; } },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: "贡献(%)" },
      yAxis: { type: "category", data: af.indicators, inverse: true },
      series: [{ type: "bar", data: af.contribution, itemStyle: { color: "#b42318" },
                 label: { show: true, position: "right", formatter: "{c}%" } }],
    });
    if (af.places.length > 1) {
      draw("af-places-chart", {
        animationDuration: 300,
        tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" }, confine: true },
        legend: { bottom: 0 },
        grid: { left: 8, right: 16, top: 24, bottom: 64, containLabel: true },
        xAxis: { type: "category", data: af.places, axisLabel: { rotate: 40, interval: 0 } },
        yAxis: [{ type: "value", name: "M0" }, { type: "value", name: "H(%)" }],
        series: [
          { name: "M0", type: "bar", data: af.m0, itemStyle: { color: "#b42318" } },
          { name: "H(%)", type: "line", yAxisIndex: 1, data: af.h, itemStyle: { color: "#2e90fa" } },
        ],
      });
    }
  }
})();
