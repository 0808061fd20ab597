// "Copy" next to the app's service-account address (without JavaScript the address is
// still there to select and copy by hand).
(() => {
  "use strict";

  const status = document.getElementById("copied");
  for (const button of document.querySelectorAll("[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    if (!field) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const range = document.createRange();
      range.selectNodeContents(field);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      try {
        await navigator.clipboard.writeText(field.textContent.trim());
        status.textContent = "Copied: paste it in Google Sheets' Share box.";
      } catch (error) {
        status.textContent = "Selected: copy it with your phone's Copy.";
      }
    });
  }
})();
