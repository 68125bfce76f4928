// openova's only script. Every page works without it: links and forms are
// plain, live pages refresh themselves from a <noscript> meta refresh. With
// it, dialogs open in place (<dialog>), confirmations ask first, and live
// operations update from Server-Sent Events. It is an external file because
// the Content-Security-Policy forbids inline script.
(function () {
  "use strict";

  // dialogFor returns the page's shared <dialog>, whose body htmx fills.
  function dialog() { return document.getElementById("dialog"); }

  // Links marked data-dialog load their page's fragment into the dialog;
  // without this script they navigate to the full page. Like the
  // confirmations below, the listener runs in the capture phase and stops
  // the click there, so htmx's boost never turns it into a navigation.
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest("a[data-dialog]");
    if (a) {
      ev.preventDefault();
      ev.stopPropagation();
      var d = dialog();
      htmx.ajax("GET", a.getAttribute("href"), { target: "#dialog-body", swap: "innerHTML" }).then(function () {
        if (!d.open) { d.showModal(); }
      });
      return;
    }
    var close = ev.target.closest("[data-close-dialog]");
    if (close && close.closest("dialog")) {
      ev.preventDefault();
      ev.stopPropagation();
      close.closest("dialog").close();
    }
  }, true);

  // With script, a confirmation is the dialog: the checkbox a form carries
  // for browsers without script (data-confirm-box) is hidden.
  document.documentElement.classList.add("js");

  // Forms marked data-confirm ask in a <dialog> before they are sent. The
  // listener runs in the capture phase and stops the event there, so
  // htmx's boost never sees the unconfirmed submit.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches("form[data-confirm]") || form.dataset.confirmed === "yes") { return; }
    ev.preventDefault();
    ev.stopPropagation();
    var c = document.getElementById("confirm");
    c.querySelector("[data-confirm-text]").textContent = form.dataset.confirm;
    c.returnValue = "";
    c.addEventListener("close", function onClose() {
      c.removeEventListener("close", onClose);
      if (c.returnValue === "ok") {
        // The dialog asked what a form's no-script checkbox asks: answered.
        form.querySelectorAll("input[type=checkbox][data-confirm-box]").forEach(function (box) { box.checked = true; });
        form.dataset.confirmed = "yes";
        form.requestSubmit(ev.submitter || undefined);
        delete form.dataset.confirmed;
      }
    });
    c.showModal();
  }, true);

  // Elements marked data-stream show an operation live: every "progress"
  // event carries the whole rendered timeline, so a reconnect (EventSource
  // sends Last-Event-ID itself) can never duplicate a line. On "done" the
  // element's data-done-url replaces data-done-target (or the page reloads).
  function stream(el) {
    if (el.dataset.streaming) { return; }
    el.dataset.streaming = "yes";
    var es = new EventSource(el.dataset.stream);
    el._openovaStream = es;
    es.addEventListener("progress", function (e) {
      el.innerHTML = e.data;
      htmx.process(el);
    });
    es.addEventListener("done", function (e) {
      es.close();
      el.innerHTML = e.data;
      var url = el.dataset.doneUrl;
      var target = el.dataset.doneTarget ? document.querySelector(el.dataset.doneTarget) : null;
      if (url && target) {
        htmx.ajax("GET", url, { target: target, swap: "outerHTML" });
      } else if (url) {
        window.location.assign(url);
      }
    });
  }

  htmx.onLoad(function (root) {
    if (root.matches && root.matches("[data-stream]")) { stream(root); }
    root.querySelectorAll && root.querySelectorAll("[data-stream]").forEach(stream);
  });
  document.addEventListener("htmx:beforeCleanupElement", function (ev) {
    var es = ev.target._openovaStream;
    if (es) { es.close(); }
  });
})();
