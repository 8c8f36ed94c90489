/* Draws every .dmn-decision-table with dmn-js's viewer, opening the spec's decision as its table
   (dmn-js would open the decision requirements diagram first). Needs model-view.js. */
(function () {
  "use strict";
  if (typeof window.DmnJS === "undefined" || !window.ThiduaModelView) { return; }
  var views = window.ThiduaModelView;

  views.drawEach(".dmn-decision-table", function (container) {
    var spec = JSON.parse(container.dataset.decision);
    var viewer = new window.DmnJS({ container: container });
    views.fetchModel(spec.xml)
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var view = viewer.getViews().find(function (candidate) {
          return candidate.type === "decisionTable" && candidate.element.id === spec.decision;
        });
        if (!view) { throw new Error("no decision table " + spec.decision); }
        return viewer.open(view);
      })
      .then(function () { container.dataset.ready = "1"; })
      .catch(function (error) { views.fail(container, error); });
  });
}());
