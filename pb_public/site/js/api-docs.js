// Starts Swagger UI on /api/docs/ with the registry's OpenAPI document.
// A file of its own because the page's Content-Security-Policy allows no
// inline script. validatorUrl: null keeps Swagger UI from sending the
// document to a validator on another origin.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    filter: true,
    tryItOutEnabled: false,
    validatorUrl: null,
    layout: "BaseLayout"
  });
})();
