// The index: one link per page, as the server lists them.
"use strict";

fetch("/api/pages")
  .then((response) => response.json())
  .then((answer) => {
    const list = document.getElementById("pages");
    for (const page of answer.pages) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `/${page.name}`;
      link.textContent = page.title;
      item.appendChild(link);
      list.appendChild(item);
    }
  });
