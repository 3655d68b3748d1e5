// bounceback review page: choosing text for a gap the model missed, with the mouse or
// from the keyboard a sentence at a time. review.js uses it through window.bounceback.
"use strict";

(function () {
  const bb = (window.bounceback = window.bounceback || {});
  const byId = (id) => document.getElementById(id);
  let chosen = null; // text chosen for a missed gap: {start, end, text}
  let choosing = null; // keyboard choice in progress: {from, to} sentence indices

  function textNodeAt(root, offset) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let seen = 0;
    let node;
    while ((node = walker.nextNode())) {
      if (offset <= seen + node.textContent.length) return [node, offset - seen];
      seen += node.textContent.length;
    }
    return null;
  }

  function rangeFor(start, end) {
    const text = byId("mailtext");
    const from = textNodeAt(text, start);
    const to = textNodeAt(text, end);
    if (!from || !to) return null;
    const range = document.createRange();
    range.setStart(from[0], from[1]);
    range.setEnd(to[0], to[1]);
    return range;
  }

  function offsetIn(container, node, offset) {
    const range = document.createRange();
    range.setStart(container, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  // The mouse (or Shift+arrow) selection inside the email text, or null.
  function mouseSpan() {
    const text = byId("mailtext");
    const selection = window.getSelection();
    if (!text || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return null;
    const chosenText = range.toString();
    if (!chosenText.trim()) return null;
    return { start: offsetIn(text, range.startContainer, range.startOffset), end: offsetIn(text, range.endContainer, range.endOffset), text: chosenText };
  }

  function choose(span) {
    const add = byId("add-form");
    if (!add) return;
    chosen = span;
    add.elements.start.value = String(span.start);
    add.elements.end.value = String(span.end);
    add.elements.text.value = span.text;
    add.classList.add("chosen");
    byId("selection-preview").textContent = "Chosen: “" + span.text.trim().slice(0, 200) + "”";
    if (window.CSS && CSS.highlights && window.Highlight) {
      const range = rangeFor(span.start, span.end);
      if (range) CSS.highlights.set("choice", new Highlight(range));
    }
  }

  function clearChoice() {
    chosen = null;
    choosing = null;
    document.body.classList.remove("choosing");
    if (window.CSS && CSS.highlights) CSS.highlights.delete("choice");
  }

  function sentences() {
    const text = byId("mailtext");
    try { return text ? JSON.parse(text.dataset.sentences || "[]") : []; } catch (err) { return []; }
  }

  function startChoosing() {
    const list = sentences();
    if (!list.length) { bb.say("This email has no text to choose from."); return; }
    const gap = bb.currentGap();
    const mark = gap ? byId("mark-" + gap.dataset.gap) : null;
    let from = 0;
    if (mark) {
      const end = offsetIn(byId("mailtext"), mark, mark.childNodes.length);
      const after = list.findIndex(function (s) { return s[0] >= end; });
      from = after < 0 ? list.length - 1 : after;
    }
    choosing = { from: from, to: from };
    document.body.classList.add("choosing");
    showChoice("Choosing text for a missed gap: ↓ ↑ move, Shift+↓ ↑ longer or shorter, Enter to use it, Esc to cancel.");
  }

  function showChoice(prefix) {
    const list = sentences();
    const body = byId("mailtext").textContent;
    const start = list[choosing.from][0];
    const end = list[choosing.to][1];
    choose({ start: start, end: end, text: body.slice(start, end) });
    const range = rangeFor(start, end);
    if (range) {
      const box = range.getBoundingClientRect();
      if (box.top < 70 || box.bottom > window.innerHeight - 20) window.scrollBy(0, box.top - window.innerHeight / 3);
    }
    bb.say((prefix ? prefix + " " : "") + "“" + body.slice(start, end).trim().slice(0, 160) + "”");
  }

  function choosingKey(event) {
    const last = sentences().length - 1;
    const c = choosing;
    if (event.key === "Escape") { clearChoice(); byId("selection-preview").textContent = "Select its text above, or"; byId("add-form").classList.remove("chosen"); bb.say("Choice cancelled."); return true; }
    if (event.key === "Enter" || event.key === "g") { useChoice(); return true; }
    if (event.key === "ArrowDown" && event.shiftKey) { c.to = Math.min(c.to + 1, last); }
    else if (event.key === "ArrowUp" && event.shiftKey) { c.to = Math.max(c.to - 1, c.from); }
    else if (event.key === "ArrowDown") { c.from = c.to = Math.min(c.to + 1, last); }
    else if (event.key === "ArrowUp") { c.from = c.to = Math.max(c.from - 1, 0); }
    else return false;
    showChoice("");
    return true;
  }

  function useChoice() {
    if (!chosen) { bb.say("Choose the text first: select it with the mouse, or press s."); return; }
    choosing = null;
    document.body.classList.remove("choosing");
    const select = byId("add-category");
    select.focus();
    bb.say("Now choose the kind of gap, then Add gap.");
  }

  bb.choice = {
    chosen: function () { return chosen; },
    active: function () { return choosing !== null; },
    choose: choose,
    clear: clearChoice,
    mouseSpan: mouseSpan,
    start: startChoosing,
    key: choosingKey,
    use: useChoice,
  };
})();
