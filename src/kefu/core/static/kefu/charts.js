// kefu charts: plotly (served from the installed plotly package), data from json_script tags.
(function () {
  "use strict";
  function compliance() {
    var holder = document.getElementById("compliance-chart");
    var source = document.getElementById("compliance-data");
    if (!holder || !source || !window.Plotly) return;
    var rows = JSON.parse(source.textContent);
    window.Plotly.newPlot(holder, [{
      type: "bar",
      x: rows.map(function (row) { return row.label; }),
      y: rows.map(function (row) { return row.met_percent; }),
      text: rows.map(function (row) { return row.met_percent === null ? "" : row.met_percent + "%"; }),
      textposition: "auto",
      marker: { color: "#0d6efd" }
    }], {
      height: 280, margin: { t: 10, r: 10, b: 90, l: 50 },
      yaxis: { range: [0, 100], title: { text: holder.dataset.axisTitle } },
      font: { family: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif", size: 12 }
    }, { displayModeBar: false, responsive: true });
  }
  function complaintTypes() {
    var holder = document.getElementById("complaint-type-chart");
    var source = document.getElementById("complaint-chart-data");
    if (!holder || !source || !window.Plotly) return;
    var rows = JSON.parse(source.textContent).types;
    window.Plotly.newPlot(holder, [{
      type: "bar",
      x: rows.map(function (row) { return row.label; }),
      y: rows.map(function (row) { return row.count; }),
      marker: { color: "#dc3545" }
    }], {
      height: 240, margin: { t: 10, r: 10, b: 60, l: 40 },
      yaxis: { title: { text: holder.dataset.axisTitle }, rangemode: "tozero" },
      font: { family: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif", size: 12 }
    }, { displayModeBar: false, responsive: true });
  }
  document.addEventListener("DOMContentLoaded", compliance);
  document.addEventListener("DOMContentLoaded", complaintTypes);
})();
