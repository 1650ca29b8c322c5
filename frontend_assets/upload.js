/* The upload page streams the dropped file to POST /api/uploads (a dry run for the preview,
 * then the import), with a progress bar, so no file travels through a Dash callback and the
 * API's own size limit and access policy apply. The API's answer goes to the store
 * "upload-reply", which a server callback shows (app/pages/upload.py). */
(function () {
  "use strict";
  var DROP = "upload-drop";
  var chosen = null;

  function reply(data) {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      data.at = Date.now();
      window.dash_clientside.set_props("upload-reply", {data: data});
    }
  }

  function send(file, dryRun) {
    var progress = document.getElementById("upload-progress");
    var form = new FormData();
    form.append("file", file, file.name);
    form.append("dry_run", dryRun ? "true" : "false");
    var request = new XMLHttpRequest();
    request.open("POST", "/api/uploads");
    request.withCredentials = true;
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.onprogress = function (event) {
      if (progress && event.lengthComputable) {
        progress.hidden = false;
        progress.value = Math.round((100 * event.loaded) / event.total);
      }
    };
    request.onload = function () {
      if (progress) { progress.hidden = true; }
      var body;
      try { body = JSON.parse(request.responseText); } catch (error) {
        body = {error: "Error", detail: "the server answered " + request.status, problems: []};
      }
      reply({filename: file.name, status: request.status, dry_run: dryRun, body: body});
    };
    request.onerror = function () {
      if (progress) { progress.hidden = true; }
      var body = {error: "Error", detail: "the upload did not reach the server", problems: []};
      reply({filename: file.name, status: 0, dry_run: dryRun, body: body});
    };
    request.send(form);
  }

  function choose(files) {
    if (!files || !files.length) { return; }
    chosen = files[0];
    send(chosen, true);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.type === "file" && input.closest && input.closest("#" + DROP)) {
      choose(input.files);
    }
  }, true);

  document.addEventListener("drop", function (event) {
    var zone = event.target && event.target.closest && event.target.closest("#" + DROP);
    if (zone && event.dataTransfer) { choose(event.dataTransfer.files); }
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("#upload-confirm");
    if (!button || button.disabled || !chosen) { return; }
    button.disabled = true;
    send(chosen, false);
  }, true);
})();
