/* What the portal's model views (bpmn-js diagrams, dmn-js tables) share: fetching the model from
   a permission-checked portal URL, a message in place of a view that could not be drawn, and
   drawing every view of a page once, again after an htmx swap brings new ones. */
(function () {
  "use strict";

  function fetchModel(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/xml" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      });
  }

  function fail(container, error) {
    container.dataset.error = String(error);
    var message = document.createElement("div");
    message.className = "alert alert-warning m-2";
    message.textContent = container.dataset.errorText || String(error);
    container.replaceChildren(message);
  }

  function drawEach(selector, draw) {
    function drawAll(root) {
      (root || document).querySelectorAll(selector).forEach(function (container) {
        if (container.dataset.drawn) { return; }
        container.dataset.drawn = "1";
        draw(container);
      });
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
    } else {
      drawAll(document);
    }
    document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
  }

  window.ThiduaModelView = { fetchModel: fetchModel, fail: fail, drawEach: drawEach };
}());
