// Render every formula on the page with the KaTeX files served by this site.
// The whole body is scanned because notebook Markdown keeps raw $...$.
// When done, <body data-math-rendered> tells the browser test it may look.
function renderMath() {
  renderMathInElement(document.body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
    ],
    // clipboard-copy-txt: the hidden raw code behind a notebook cell's copy button.
    ignoredClasses: ["highlight", "highlight-ipynb", "jp-OutputArea", "clipboard-copy-txt"],
    throwOnError: false,
  });
  document.body.dataset.mathRendered = "1";
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", renderMath);
} else {
  renderMath();
}
