// A classic script, run before the page's module: a page opened from a file (file://) cannot
// load its WebAssembly module, because browsers load modules only from a web server. Say what
// to run instead of leaving the page blank.
if (location.protocol === "file:") {
  document.addEventListener("DOMContentLoaded", () => {
    const page = location.pathname.split("/").pop();
    const note = document.createElement("div");
    note.className = "needs-server";
    note.innerHTML =
      "<b>This page needs a web server.</b> It runs a WebAssembly module, and browsers load " +
      "modules only over HTTP, not from a file. From the workspace run " +
      "<code>./lab book --serve</code>, or serve the book folder with any web server, for example " +
      "<code>python3 -m http.server --directory book 8000</code>, then open " +
      `<code>http://localhost:8000/${page}</code>.`;
    document.querySelector("main").prepend(note);
    const status = document.getElementById("status");
    if (status) status.textContent = "";
  });
}
