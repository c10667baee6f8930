// Progressive enhancement: while a run is queued or running, refresh the runs table.
(function () {
  function poll(body) {
    if (body.dataset.active !== "yes") return;
    setTimeout(function () {
      fetch(body.dataset.live, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          body.innerHTML = html;
          body.dataset.active = body.querySelector('[data-state="running"],[data-state="queued"]') ? "yes" : "no";
          poll(body);
        })
        .catch(function () { poll(body); });
    }, 2000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("tbody[data-live]").forEach(poll);
  });
})();
