// Render every formula on the page with the KaTeX files served by this site.
// The whole body is scanned because notebook Markdown keeps raw $...$.
document.addEventListener("DOMContentLoaded", function () {
  renderMathInElement(document.body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
    ],
    ignoredClasses: ["highlight", "highlight-ipynb", "jp-OutputArea"],
    throwOnError: false,
  });
});
