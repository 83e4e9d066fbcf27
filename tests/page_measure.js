// Loaded by tests/browser.py's measure(): lays out each framed page at the frame's width and
// writes what the tests check as JSON into <pre id="result">: horizontal overflow, where the ids
// in table cells wrap, and where each chart's texts, axes and x ticks are drawn.
"use strict";

function wraps(cell) {
  // every place the cell's text goes on to a new line, as the two characters around it
  const doc = cell.ownerDocument;
  const walker = doc.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const chars = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = doc.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rects = range.getClientRects();
      if (rects.length) chars.push([node.data[i], rects[0].top]);
    }
  }
  const found = [];
  for (let i = 1; i < chars.length; i++) {
    if (chars[i][1] > chars[i - 1][1] + 2) found.push(chars[i - 1][0] + chars[i][0]);
  }
  return found;
}

function isId(td) {
  // a cell that holds an id: provider, model and field columns, and the pricing table's first
  // two; only their wraps are measured (tests/test_site.py checks where ids wrap): walking every
  // character of every other cell too took about a third of the measuring, for nothing
  const ids = ["provider", "model", "field"];
  return ids.includes(td.className) || (td.closest("table").className === "pricing" && td.cellIndex < 2);
}

function box(element) {
  const r = element.getBoundingClientRect();
  return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
}

function chart(svg) {
  const axes = [...svg.querySelectorAll("g[id^='axes_']")].map((group) => ({
    frame: box(group.querySelector("g[id^='patch_'] path")),
    ticks: [...group.querySelectorAll("g[id^='xtick_']")].map((tick) => {
      const mark = box(tick.querySelector("use"));
      const label = tick.querySelector("text");
      return { x: (mark.left + mark.right) / 2, label: label ? label.textContent : "" };
    }),
  }));
  const texts = [...svg.querySelectorAll("text")].map((t) => ({ text: t.textContent, ...box(t) }));
  return { box: box(svg), axes, texts };
}

function measure(frame) {
  const doc = frame.contentDocument;
  const root = doc.documentElement;
  const cells = [...doc.querySelectorAll("td")].map((td) => ({
    cls: td.className,
    table: td.closest("table").className,
    column: td.cellIndex,
    text: td.textContent,
    id: isId(td),
    wraps: isId(td) ? wraps(td) : [],
  }));
  return {
    page: frame.dataset.page,
    width: root.clientWidth,
    scrollWidth: Math.max(root.scrollWidth, doc.body.scrollWidth),
    cells,
    charts: [...doc.querySelectorAll("svg.chart")].map(chart),
  };
}

window.addEventListener("load", () => {
  const frames = [...document.querySelectorAll("iframe")];
  document.getElementById("result").textContent = JSON.stringify(frames.map(measure));
});
