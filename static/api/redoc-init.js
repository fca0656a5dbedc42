"use strict";
// Starts ReDoc on the API's docs page (templates/api/redoc.html) without an inline script.
(function () {
  var container = document.getElementById("redoc-container");
  Redoc.init(container.dataset.specUrl, { nonce: container.dataset.nonce }, container);
})();
