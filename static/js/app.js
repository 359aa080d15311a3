/* The page's little behaviours, by data attribute, so that no template needs an inline script or an
   event handler attribute (the Content-Security-Policy allows neither). Listeners sit on the document,
   so that content htmx swaps in later behaves the same without binding anything again.

   data-select-on-focus      an input whose whole value is selected when it gets focus or a click
   data-copy="#id"           a button that copies the value of that input, then says so (its
                             data-copied-label, else the page's: <body data-copied-label>, translated)
   data-dismiss=".selector"  a button that removes its closest ancestor matching the selector
   data-confirm="Question?"  a button or link that acts only once the person confirms (publishing)
   [data-priority-nav]       the organisation's tabs: those that do not fit go into the "More" menu
   main table                a table wider than the page scrolls in a box that says so (the words
                             come from <body data-table-label data-scroll-hint>, in the page's language)
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
      var label = button.getAttribute("data-copied-label") || document.body.getAttribute("data-copied-label");
      if (label) button.textContent = label;
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

  // The organisation's tabs: put back every tab, then move those that overflow, last first, into More.
  function fitNav() {
    var list = document.querySelector("[data-priority-nav]");
    var more = document.querySelector("[data-more-nav]");
    if (!list || !more) return;
    var moreList = more.querySelector("ul");
    list.closest(".section-nav").classList.add("fits");
    Array.prototype.slice.call(moreList.children).forEach(function (item) { list.appendChild(item); });
    more.hidden = true;
    while (list.scrollWidth > list.clientWidth + 1 && list.children.length > 1) {
      more.hidden = false;
      moreList.insertBefore(list.lastElementChild, moreList.firstChild);
    }
    // The current tab stays in sight: swap it with the last visible one if it went into More.
    var current = moreList.querySelector('[aria-current="page"]');
    if (current && list.lastElementChild) {
      var item = current.closest("li");
      var last = list.lastElementChild;
      moreList.replaceChild(last, item);
      list.appendChild(item);
    }
  }

  // Wide tables scroll in a labelled box that can be scrolled by keyboard, with a hint when needed.
  function wrapTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      var box = table.parentElement;
      if (!box.classList.contains("table-scroll")) {
        box = document.createElement("div");
        box.className = "table-scroll";
        box.setAttribute("role", "region");
        var caption = table.querySelector("caption");
        var label = caption ? caption.textContent.trim() : document.body.getAttribute("data-table-label");
        if (label) box.setAttribute("aria-label", label);
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
        var hint = document.createElement("p");
        hint.className = "table-scroll-hint";
        hint.setAttribute("aria-hidden", "true");
        hint.textContent = document.body.getAttribute("data-scroll-hint") || "";
        box.parentNode.insertBefore(hint, box.nextSibling);
      }
      var overflows = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("overflows", overflows);
      box.tabIndex = overflows ? 0 : -1; // a keyboard can scroll it only when there is something to scroll
    });
  }

  function layout() {
    fitNav();
    wrapTables();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", layout);
  else layout();
  window.addEventListener("resize", layout);
  document.addEventListener("htmx:afterSettle", wrapTables);

  document.addEventListener("click", function (event) {
    var control = closest(event, "[data-confirm]");
    if (control && !window.confirm(control.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
