// Starts Swagger UI on the docs page: the spec from this sandbox, no validator badge (it would call out), and
// the sandbox credentials entered once the spec is loaded.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("docs-config").textContent);
  var ui = SwaggerUIBundle({
    url: config.specUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Off: Swagger UI logs a console error when a deep link names an operationId with "_" (all of ours).
    deepLinking: false,
    validatorUrl: null,
    displayRequestDuration: true,
    onComplete: function () {
      Object.keys(config.preauthorize).forEach(function (scheme) {
        ui.preauthorizeApiKey(scheme, config.preauthorize[scheme]);
      });
    }
  });
  window.ui = ui;
}());
