/* The page's little behaviours, by data attribute, so that no template needs an inline script or an
   event handler attribute (the Content-Security-Policy allows neither). Listeners sit on the document,
   so that content htmx swaps in later behaves the same without binding anything again.

   data-select-on-focus      an input whose whole value is selected when it gets focus or a click
   data-copy="#id"           a button that copies the value of that input, then says "Copied"
   data-dismiss=".selector"  a button that removes its closest ancestor matching the selector
   data-confirm="Question?"  a button or link that acts only once the person confirms (publishing)
   data-show-if="name" data-show-value="v"  shown only while the form's field `name` has the value v
                             (the recurrence rule, only for a custom rule); shown when scripts are off */
(function () {
  "use strict";

  function closest(event, selector) {
    return event.target instanceof Element ? event.target.closest(selector) : null;
  }

  function selectAll(event) {
    var input = closest(event, "[data-select-on-focus]");
    if (input) input.select();
  }
  document.addEventListener("focusin", selectAll);
  document.addEventListener("click", selectAll);

  document.addEventListener("click", function (event) {
    var button = closest(event, "[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.value).then(function () {
      button.textContent = button.getAttribute("data-copied-label") || "Copied";
    });
  });

  document.addEventListener("click", function (event) {
    var button = closest(event, "[data-dismiss]");
    if (!button) return;
    var target = button.closest(button.getAttribute("data-dismiss"));
    if (target) target.remove();
  });

  function showIf(root) {
    (root || document).querySelectorAll("[data-show-if]").forEach(function (block) {
      var form = block.closest("form");
      var field = form && form.elements.namedItem(block.getAttribute("data-show-if"));
      if (!field) return;
      block.hidden = field.value !== block.getAttribute("data-show-value");
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target instanceof Element && event.target.form) showIf(event.target.form);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { showIf(); });
  else showIf();

  document.addEventListener("click", function (event) {
    var control = closest(event, "[data-confirm]");
    if (control && !window.confirm(control.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
