/* The minutes draft never loses a word.

   - It saves itself a moment after the secretary stops typing (POST to data-autosave, answered in
     JSON), and says when it last did. A draft someone else saved meanwhile is never overwritten: the
     server answers 409, the page says so and keeps the text.
   - Every keystroke is also kept in this browser (localStorage) until the server has it, so that a
     lost connection, a closed tab or a crash gives the text back on the next visit.
   - Another form on the page that reloads it (adding an action, publishing the agenda) first waits
     for the draft to be saved. The attendance and agenda panels are swapped by htmx and leave the
     minutes alone; while the draft is still the prefilled one (nobody has typed), it follows them.
   - Leaving the page with unsaved text sends it with a beacon. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var area = form.querySelector("textarea[name=body]");
  var status = form.querySelector("[data-autosave-status]");
  if (!area) return;

  var url = form.getAttribute("data-autosave");
  var prefillUrl = form.getAttribute("data-prefill");
  var savedAt = form.getAttribute("data-saved-at") || "";
  var csrf = (form.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var key = "minutes-draft:" + url;
  var dirty = false;
  var edited = Boolean(savedAt);
  var conflicted = false;
  var timer = null;
  var inflight = null;

  function say(text, isError) {
    if (!status || !text) return;
    status.textContent = text;
    status.classList.toggle("error-text", Boolean(isError));
  }

  function keepLocally() {
    try {
      localStorage.setItem(key, JSON.stringify({ text: area.value, base: savedAt }));
    } catch (error) {
      /* storage full or disabled: the server copy is still saved as usual */
    }
  }

  function forgetLocally() {
    try {
      localStorage.removeItem(key);
    } catch (error) {
      /* nothing kept */
    }
  }

  function payload() {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf);
    body.append("body", area.value);
    body.append("saved_at", savedAt);
    return body;
  }

  function save() {
    if (inflight) return inflight;
    if (!dirty || conflicted) return Promise.resolve();
    dirty = false;
    say(form.getAttribute("data-msg-saving"));
    inflight = fetch(url, {
      method: "POST",
      body: payload(),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (answer) {
        if (answer.status === 200) {
          savedAt = answer.data.saved_at;
          form.setAttribute("data-saved-at", savedAt);
          if (dirty) keepLocally();
          else forgetLocally();
          say(answer.data.message);
        } else {
          if (answer.status === 409) conflicted = true;
          else dirty = true;
          say(answer.data.error || form.getAttribute("data-msg-failed"), true);
        }
      })
      .catch(function () {
        dirty = true;
        say(form.getAttribute("data-msg-offline"), true);
      })
      .then(function () {
        inflight = null;
        if (dirty && !conflicted) schedule();
      });
    return inflight;
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 1500);
  }

  // Text left by an earlier visit that never reached the server comes back, if the server's draft
  // is still the one it was typed on.
  try {
    var kept = JSON.parse(localStorage.getItem(key) || "null");
    if (kept && kept.base === savedAt && kept.text !== area.value) {
      area.value = kept.text;
      dirty = edited = true;
      say(form.getAttribute("data-msg-restored"));
      schedule();
    } else if (kept) {
      forgetLocally();
    }
  } catch (error) {
    forgetLocally();
  }

  area.addEventListener("input", function () {
    dirty = edited = true;
    keepLocally();
    schedule();
  });

  // The minutes form's own buttons post the text themselves.
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
    dirty = false;
  });

  // Any other full-page form waits for the draft first. htmx forms do not reload the page.
  document.addEventListener(
    "submit",
    function (event) {
      var other = event.target;
      if (other === form || !(other instanceof HTMLFormElement) || other.hasAttribute("hx-post")) return;
      if (!dirty && !inflight) return;
      event.preventDefault();
      var submitter = event.submitter || null;
      window.clearTimeout(timer);
      save().then(function () {
        if (other.requestSubmit) {
          other.requestSubmit(submitter);
        } else {
          other.submit();
        }
      });
    },
    true
  );

  // A prefilled draft follows the attendance and the agenda until somebody types in it.
  function refreshPrefill() {
    if (edited || !prefillUrl) return;
    fetch(prefillUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && !edited) area.value = data.body;
      })
      .catch(function () {
        /* the prefill stays as it was */
      });
  }
  document.body.addEventListener("attendance-recorded", refreshPrefill);
  document.body.addEventListener("agenda-changed", refreshPrefill);

  window.addEventListener("pagehide", function () {
    if (dirty && !conflicted && navigator.sendBeacon) navigator.sendBeacon(url, payload());
  });
})();
