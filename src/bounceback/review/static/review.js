// bounceback review page: keyboard shortcuts and text selection. Everything else is
// plain HTML forms, so the page works (less conveniently) without this file.
"use strict";

(function () {
  const text = document.getElementById("mailtext");
  const gapItems = () => Array.from(document.querySelectorAll(".gapitem"));
  let focused = -1;

  function offsetIn(container, node, offset) {
    const range = document.createRange();
    range.setStart(container, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  // The current selection inside the email text as {start, end, text}, or null.
  function selectedSpan() {
    const selection = window.getSelection();
    if (!text || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return null;
    const start = offsetIn(text, range.startContainer, range.startOffset);
    const end = offsetIn(text, range.endContainer, range.endOffset);
    const chosen = range.toString();
    if (!chosen.trim()) return null;
    return { start: start, end: end, text: chosen };
  }

  function fillSpan(form, span) {
    form.elements.start.value = String(span.start);
    form.elements.end.value = String(span.end);
    form.elements.text.value = span.text;
  }

  const addForm = document.getElementById("add-form");
  const preview = document.getElementById("selection-preview");
  const addButton = document.getElementById("add-button");

  function trackSelection() {
    if (!addForm) return;
    const span = selectedSpan();
    if (!span) return;
    fillSpan(addForm, span);
    preview.textContent = "“" + span.text.trim().slice(0, 140) + "”";
    preview.classList.remove("muted");
    addButton.disabled = false;
  }
  document.addEventListener("selectionchange", trackSelection);

  function focusGap(index) {
    const items = gapItems();
    if (items.length === 0) return;
    focused = (index + items.length) % items.length;
    items.forEach(function (item, i) {
      item.classList.toggle("focused", i === focused);
      const mark = document.getElementById("mark-" + item.dataset.gap);
      if (mark) mark.classList.toggle("focused", i === focused);
    });
    items[focused].scrollIntoView({ block: "nearest" });
  }

  function currentGap() {
    const items = gapItems();
    if (items.length === 0) return null;
    if (focused < 0) focusGap(0);
    return items[focused];
  }

  function submit(form) {
    if (form) form.requestSubmit();
  }

  // Clicking a highlight selects its gap in the list.
  if (text) {
    text.addEventListener("click", function (event) {
      const mark = event.target.closest("mark[data-gap]");
      if (!mark) return;
      const index = gapItems().findIndex(function (item) { return item.dataset.gap === mark.dataset.gap; });
      if (index >= 0) focusGap(index);
    });
  }

  const help = document.getElementById("help");
  const helpToggle = document.getElementById("help-toggle");
  if (helpToggle) helpToggle.addEventListener("click", function () { help.hidden = !help.hidden; });

  function go(id) {
    const link = document.getElementById(id);
    if (link) window.location.assign(link.href);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, select, textarea, button, summary")) {
      if (event.key === "Escape" && target.blur) target.blur();
      if (target.closest("input, select, textarea")) return;
    }
    const gap = ["a", "d", "e"].includes(event.key) ? currentGap() : null;
    switch (event.key) {
      case "j": go("next-link"); break;
      case "k": go("prev-link"); break;
      case "n": focusGap(focused + 1); break;
      case "p": focusGap(focused < 0 ? -1 : focused - 1); break;
      case "a": if (gap) submit(gap.querySelector(".act-accept")); break;
      case "d": if (gap) submit(gap.querySelector(".act-dismiss")); break;
      case "e": {
        if (!gap) return;
        const details = gap.querySelector("details.edit");
        const form = gap.querySelector(".act-edit");
        const span = selectedSpan();
        if (span) {
          fillSpan(form, span);
          form.querySelector(".span-preview").textContent = "New span: “" + span.text.trim() + "”";
        }
        details.open = true;
        form.elements.category.focus();
        break;
      }
      case "g": {
        if (!addForm || addButton.disabled) return;
        addForm.elements.category.focus();
        break;
      }
      case "c": submit(document.getElementById("confirm-form")); break;
      case "?": help.hidden = !help.hidden; break;
      default: return;
    }
    event.preventDefault();
  });
})();
