/* Draws every .bpmn-diagram with bpmn-js's NavigatedViewer (drag to pan, Ctrl + wheel to zoom):
   the model is fitted to the container's width, the container taking the diagram's height within
   bounds, so a wide process opens readable rather than shrunk into a fixed box. The spec's element
   ids are marked (current and done steps, added/changed/removed elements) and its heatmap counts
   shown as badges coloured by level. The figure's [data-zoom] buttons zoom in, out and refit.
   Needs model-view.js. */
(function () {
  "use strict";
  if (typeof window.BpmnJS === "undefined" || !window.ThiduaModelView) { return; }
  var views = window.ThiduaModelView;
  var MARGIN = 16, MIN_HEIGHT = 220, ZOOM_STEP = 1.25;

  function mark(canvas, registry, ids, css) {
    (ids || []).forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, css); }
    });
  }

  function badge(count, level, id) {
    var span = document.createElement("span");
    span.className = "badge rounded-pill thidua-count thidua-heat-" + (level || 1);
    span.dataset.element = id;
    span.textContent = String(count);
    return span;
  }

  // Scale to the width (never above 1:1); the height follows, up to most of the window.
  function fitWidth(canvas, container) {
    canvas.resized();
    var inner = canvas.viewbox().inner;
    if (!inner.width || !inner.height) { return; }
    var width = container.clientWidth;
    var scale = Math.min(1, (width - 2 * MARGIN) / inner.width);
    var maxHeight = Math.max(MIN_HEIGHT, Math.round(window.innerHeight * 0.75));
    var height = Math.min(maxHeight, Math.max(MIN_HEIGHT, Math.ceil(inner.height * scale + 2 * MARGIN)));
    container.style.height = height + "px";
    canvas.resized();
    var spare = height / scale - inner.height;
    canvas.viewbox({
      x: inner.x - (width / scale - inner.width) / 2,
      y: inner.y - (spare > 0 ? spare / 2 : MARGIN / scale),
      width: width / scale,
      height: height / scale
    });
  }

  function wireButtons(canvas, container) {
    var figure = container.closest("figure") || container.parentNode;
    figure.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.disabled = false;
      button.addEventListener("click", function () {
        var action = button.dataset.zoom;
        if (action === "fit") { fitWidth(canvas, container); return; }
        canvas.zoom(canvas.zoom() * (action === "in" ? ZOOM_STEP : 1 / ZOOM_STEP), "auto");
      });
    });
  }

  views.drawEach(".bpmn-diagram", function (container) {
    var spec = JSON.parse(container.dataset.diagram);
    var viewer = new window.BpmnJS({ container: container });
    views.fetchModel(spec.xml)
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        var overlays = viewer.get("overlays");
        fitWidth(canvas, container);
        mark(canvas, registry, spec.completed, "thidua-completed");
        mark(canvas, registry, spec.active, "thidua-active");
        Object.keys(spec.markers || {}).forEach(function (kind) {
          mark(canvas, registry, spec.markers[kind], "thidua-" + kind);
        });
        Object.keys(spec.heatmap || {}).forEach(function (id) {
          if (registry.get(id)) {
            var level = (spec.heatLevels || {})[id];
            overlays.add(id, "thidua-heatmap", { position: { top: -12, right: 12 }, html: badge(spec.heatmap[id], level, id) });
          }
        });
        wireButtons(canvas, container);
        container.dataset.ready = "1";
      })
      .catch(function (error) { views.fail(container, error); });
  });
}());
