/* The quarter page's charts (Chart.js, vendored).
 *
 * The numbers come from the page itself: a json_script block "quarter-charts" holds the
 * labels and datasets the server computed (the same figures as the tables). Without this
 * script, or without Chart.js, the tables stay on the page and the canvases stay hidden.
 * With it, each chart is drawn, its table is kept for screen readers (visually hidden) and
 * a button shows it again; printing shows the tables, not the canvases (see wardwork.css).
 */
(function () {
  "use strict";

  var COLORS = {
    done: "#198754",
    in_progress: "#0d6efd",
    late: "#dc3545",
    not_reported: "#adb5bd",
    tasks: "#6c757d",
    tasks_done: "#198754",
    registrations: "#a50e0e",
    conclusions: "#fd7e14",
  };
  var PALETTE = ["#a50e0e", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#ffc107", "#6c757d"];

  function readData() {
    var node = document.getElementById("quarter-charts");
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (error) {
      return null;
    }
  }

  function colored(datasets) {
    return datasets.map(function (dataset, index) {
      var color = COLORS[dataset.key] || PALETTE[index % PALETTE.length];
      return { label: dataset.label, data: dataset.data, backgroundColor: color, borderColor: color };
    });
  }

  function integerAxis(stacked) {
    return { beginAtZero: true, stacked: stacked, ticks: { precision: 0 } };
  }

  var BUILDERS = {
    units: function (data) {
      var height = Math.max(160, 28 * data.labels.length + 60);
      return {
        height: height,
        config: {
          type: "bar",
          data: { labels: data.labels, datasets: colored(data.datasets) },
          options: {
            indexAxis: "y",
            scales: { x: integerAxis(true), y: { stacked: true } },
          },
        },
      };
    },
    fields: function (data) {
      var height = Math.max(160, 28 * data.labels.length + 60);
      var datasets = colored(data.datasets);
      datasets[0].backgroundColor = data.labels.map(function (_, i) {
        return PALETTE[i % PALETTE.length];
      });
      return {
        height: height,
        config: {
          type: "bar",
          data: { labels: data.labels, datasets: datasets },
          options: {
            indexAxis: "y",
            plugins: { legend: { display: false } },
            scales: { x: integerAxis(false) },
          },
        },
      };
    },
    history: function (data) {
      return {
        height: 260,
        config: {
          type: "bar",
          data: { labels: data.labels, datasets: colored(data.datasets) },
          options: { scales: { y: integerAxis(false) } },
        },
      };
    },
  };

  function addToggle(figure, table) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-link px-0 no-print chart-toggle";
    button.setAttribute("aria-controls", table.id);
    button.setAttribute("aria-expanded", "false");
    button.textContent = figure.dataset.show;
    button.addEventListener("click", function () {
      var hidden = table.classList.toggle("visually-hidden");
      button.setAttribute("aria-expanded", hidden ? "false" : "true");
      button.textContent = hidden ? figure.dataset.show : figure.dataset.hide;
    });
    table.parentNode.insertBefore(button, table);
  }

  function draw(figure, data) {
    var key = figure.dataset.chart;
    var box = figure.querySelector(".chart-canvas");
    var canvas = box && box.querySelector("canvas");
    var table = figure.querySelector(".chart-data");
    if (!canvas || !data[key] || !BUILDERS[key]) return;
    var built = BUILDERS[key](data[key]);
    box.hidden = false;
    box.style.height = built.height + "px";
    var config = built.config;
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false },
      config.options
    );
    new window.Chart(canvas, config);
    if (table) {
      table.classList.add("visually-hidden");
      addToggle(figure, table);
    }
  }

  function init() {
    if (typeof window.Chart === "undefined") return;
    var data = readData();
    if (!data) return;
    document.querySelectorAll("figure[data-chart]").forEach(function (figure) {
      draw(figure, data);
    });
  }

  // Paper shows every table: the folded list of tasks opens for printing, then folds back.
  var folded = [];
  window.addEventListener("beforeprint", function () {
    folded = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) {
      return !d.open;
    });
    folded.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    folded.forEach(function (d) { d.open = false; });
    folded = [];
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
