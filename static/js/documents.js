// Documents page: the progress of the documents being prepared, asked for every 1.5 seconds,
// and the page shown again once one is ready or has failed (with its link or its error).
// Without JavaScript the page reloads itself while something is being prepared.
(function () {
  "use strict";
  var watched = document.querySelectorAll("[data-document-status]");
  if (!watched.length || !window.fetch) {
    return;
  }
  var INTERVAL = 1500;

  function show(element, status) {
    var bar = element.querySelector("progress");
    var message = element.querySelector("[data-document-message]");
    if (bar && status.total) {
      bar.max = status.total;
      bar.value = status.done;
      bar.textContent = status.percent + "%";
    }
    if (message) {
      message.textContent =
        status.message + (status.total ? " · " + status.done + " of " + status.total : "");
    }
  }

  function watch(element) {
    var url = element.getAttribute("data-document-status");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        if (status.status !== "queued" && status.status !== "running") {
          window.location.reload();
          return;
        }
        show(element, status);
        window.setTimeout(function () { watch(element); }, INTERVAL);
      })
      .catch(function () {
        // The server may be restarting: ask again, less often.
        window.setTimeout(function () { watch(element); }, INTERVAL * 4);
      });
  }

  Array.prototype.forEach.call(watched, watch);
})();
