/* Charts of the assessment pages (ECharts, vendored). Data comes from a
   json_script block next to each chart; without JavaScript the tables beside
   the charts carry the same numbers. Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML
   tooltips carry style="" attributes, which the Content-Security-Policy refuses. */
(function () {
  "use strict";
  if (!window.echarts) return;

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function keepSized(chart, el) {
    // The chart follows its box: phone rotation, a narrowing window, a font change.
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(el);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
  }

  function clockwise(list) {
    // ECharts lays radar axes out anticlockwise; a clerk reads the factors clockwise.
    return list.slice(0, 1).concat(list.slice(1).reverse());
  }

  function radar(el, data) {
    var narrow = el.clientWidth < 420;
    var indicators = clockwise(data.indicators);
    var scores = clockwise(data.scores);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animationDuration: 300,
      tooltip: { trigger: "item", renderMode: "richText", confine: true },
      legend: { bottom: 0, data: ["得分", "致困线(" + data.threshold + "分)"] },
      radar: {
        indicator: indicators,
        radius: narrow ? "62%" : "68%",
        center: ["50%", "48%"],
        splitNumber: 5,
        axisName: { color: "#52606d", fontSize: narrow ? 12 : 13 },
        splitArea: { areaStyle: { color: ["#fff", "#f8fafc"] } },
      },
      series: [{
        type: "radar",
        data: [
          {
            name: "得分",
            value: scores,
            symbolSize: 5,
            itemStyle: { color: "#b42318" },
            areaStyle: { color: "rgba(180, 35, 24, 0.18)" },
            // Zeros sit on the centre on top of each other: only non-zero scores are labelled.
            label: { show: true, color: "#1f2933", fontSize: 11, formatter: function (p) { return p.value > 0 ? p.value : ""; } },
          },
          {
            name: "致困线(" + data.threshold + "分)",
            value: indicators.map(function () { return data.threshold; }),
            symbol: "none",
            itemStyle: { color: "#8a96a3" },
            lineStyle: { type: "dashed", width: 1 },
          },
        ],
      }],
    });
    keepSized(chart, el);
    el.dataset.drawn = "1";
  }

  function bars(el, data) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animationDuration: 300,
      tooltip: { trigger: "axis", renderMode: "richText", confine: true },
      legend: { top: 0, data: [data.before_name, data.after_name] },
      grid: { left: 44, right: 12, top: 36, bottom: 48 },
      xAxis: { type: "category", data: data.bins, name: "困难指数", nameLocation: "middle", nameGap: 30, axisLabel: { fontSize: 11, interval: 0, rotate: el.clientWidth < 480 ? 45 : 0 } },
      yAxis: { type: "value", name: "户数", minInterval: 1 },
      series: [
        { name: data.before_name, type: "bar", data: data.before, itemStyle: { color: "#9aa5b1" } },
        { name: data.after_name, type: "bar", data: data.after, itemStyle: { color: "#b42318" } },
      ],
    });
    keepSized(chart, el);
    el.dataset.drawn = "1";
  }

  var r = document.getElementById("radar");
  if (r) radar(r, read("radar-data"));
  var h = document.getElementById("index-chart");
  if (h) bars(h, read("index-chart-data"));
})();
