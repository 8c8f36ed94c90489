/* Draws every .bpmn-diagram with bpmn-js's NavigatedViewer: the model XML is fetched from the
   portal URL in its data-diagram spec (permission-checked there), then the spec's element ids
   are marked (current and done steps, added/changed/removed elements) and its heatmap counts
   are shown as badges. Safe to run again after an htmx swap: a diagram is drawn once. */
(function () {
  "use strict";

  function mark(canvas, registry, ids, css) {
    (ids || []).forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, css); }
    });
  }

  function badge(count, id) {
    var span = document.createElement("span");
    span.className = "badge rounded-pill text-bg-danger thidua-count";
    span.dataset.element = id;
    span.textContent = String(count);
    return span;
  }

  function draw(container) {
    if (container.dataset.drawn || typeof window.BpmnJS === "undefined") { return; }
    container.dataset.drawn = "1";
    var spec = JSON.parse(container.dataset.diagram);
    var viewer = new window.BpmnJS({ container: container });
    fetch(spec.xml, { credentials: "same-origin", headers: { "Accept": "application/xml" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        var overlays = viewer.get("overlays");
        canvas.zoom("fit-viewport", "auto");
        mark(canvas, registry, spec.completed, "thidua-completed");
        mark(canvas, registry, spec.active, "thidua-active");
        Object.keys(spec.markers || {}).forEach(function (kind) {
          mark(canvas, registry, spec.markers[kind], "thidua-" + kind);
        });
        Object.keys(spec.heatmap || {}).forEach(function (id) {
          if (registry.get(id)) {
            overlays.add(id, "thidua-heatmap", { position: { top: -12, right: 12 }, html: badge(spec.heatmap[id], id) });
          }
        });
        container.dataset.ready = "1";
      })
      .catch(function (error) {
        container.dataset.error = String(error);
        var message = document.createElement("div");
        message.className = "alert alert-warning m-2";
        message.textContent = container.dataset.errorText || String(error);
        container.replaceChildren(message);
      });
  }

  function drawAll(root) {
    (root || document).querySelectorAll(".bpmn-diagram").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
}());
