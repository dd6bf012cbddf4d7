// Check-in page: type-ahead search and one-click check-in without reloading the page.
// Without JavaScript the search form and the buttons work as plain forms.
(function () {
  "use strict";
  var input = document.getElementById("checkin-q");
  var results = document.getElementById("checkin-results");
  if (!input || !results || !window.fetch) {
    return;
  }
  var searchUrl = input.getAttribute("data-search-url");
  var timer = null;
  var latest = 0;

  function show(html, request) {
    if (request === latest) {
      results.innerHTML = html;
    }
  }

  function search() {
    var q = input.value.trim();
    var request = ++latest;
    fetch(searchUrl + "?q=" + encodeURIComponent(q), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("search failed: " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        show(html, request);
        var url = new URL(window.location.href);
        if (q) {
          url.searchParams.set("q", q);
        } else {
          url.searchParams.delete("q");
        }
        window.history.replaceState(null, "", url.toString());
      })
      .catch(function () {
        // Leave the results as they are; the search button still works.
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 200);
  });

  document.getElementById("checkin-form").addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    search();
  });

  results.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("checkin-mark")) {
      return;
    }
    event.preventDefault();
    var request = ++latest;
    var button = form.querySelector("button");
    if (button) {
      button.disabled = true;
    }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("check-in failed: " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        show(html, request);
        input.focus();
        input.select();
      })
      .catch(function () {
        form.submit();
      });
  });
})();
