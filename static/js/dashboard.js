// Charts of the managers' dashboard, drawn from the numbers the page also shows in tables.
(function () {
  "use strict";
  const source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const palette = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#198754", "#0dcaf0", "#6c757d"];
  const options = {
    animation: false,
    responsive: true,
    plugins: { legend: { display: false } },
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
  };

  function bar(id, labels, datasets, extra) {
    const canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    new Chart(canvas, { type: "bar", data: { labels: labels, datasets: datasets }, options: Object.assign({}, options, extra || {}) });
  }

  bar("chart-funnel", data.funnel.labels, [{ data: data.funnel.values, backgroundColor: palette[0] }]);
  bar(
    "chart-times",
    data.stage_times.labels,
    [
      { label: data.stage_times.median_label, data: data.stage_times.median, backgroundColor: palette[1] },
      { label: data.stage_times.p90_label, data: data.stage_times.p90, backgroundColor: palette[2] },
    ],
    { plugins: { legend: { display: true } } }
  );
  bar("chart-trl", data.trl.labels, [{ data: data.trl.values, backgroundColor: palette[3] }]);
  bar(
    "chart-scores",
    data.scores.labels,
    data.scores.series.map(function (series, i) {
      return { label: series.label, data: series.values, backgroundColor: palette[i % palette.length] };
    }),
    { plugins: { legend: { display: data.scores.series.length > 1 } } }
  );
})();
