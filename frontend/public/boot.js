// Starts the WebAssembly app, or says why it could not. A file rather than an inline script:
// the Content-Security-Policy allows no inline script.
import init from '/pkg/maildesk_frontend.js';

init().then(
  () => document.getElementById('boot')?.remove(),
  (err) => {
    console.error(err);
    const boot = document.getElementById('boot');
    if (boot) {
      boot.textContent = 'Maildesk could not start. Please reload the page, or use an up-to-date browser.';
      boot.setAttribute('role', 'alert');
    }
  },
);
