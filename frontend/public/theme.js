// The theme picked in the header, applied before the first paint (the app applies it too).
// A file rather than an inline script: the Content-Security-Policy allows no inline script.
try {
  const theme = JSON.parse(localStorage.getItem('maildesk.theme') || 'null');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
} catch (_) {}
