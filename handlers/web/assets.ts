/**
 * The page's only style sheet and script, served by the server itself (the Content-Security-Policy
 * allows nothing else: no CDN, no inline code). The page works without the script; it only makes
 * the time left count down and adds a copy button to each field of the AP draft.
 */

export const APP_CSS = `
:root { --fg: #111827; --muted: #4b5563; --line: #d1d5db; --bg: #ffffff; --soft: #f3f4f6; --accent: #1d4ed8;
  --bad: #b91c1c; --warn: #92400e; --good: #166534; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible {
  outline: 3px solid #f59e0b; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 10; }
header.top { display: flex; flex-wrap: wrap; gap: .5rem 2rem; align-items: baseline; padding: .75rem 1.5rem; background: #1f2937; color: #f9fafb; }
header.top a { color: #f9fafb; }
header.top .brand { font-weight: 700; font-size: 1.2rem; margin: 0; }
header.top nav ul { list-style: none; display: flex; gap: 1.25rem; margin: 0; padding: 0; }
header.top .who { margin: 0 0 0 auto; font-size: .9rem; }
main { padding: 1rem 1.5rem 3rem; max-width: 1400px; }
footer { padding: 1rem 1.5rem; color: var(--muted); font-size: .875rem; border-top: 1px solid var(--line); }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--soft); font-weight: 600; }
tbody th { font-weight: 600; }
dl.summary { display: grid; grid-template-columns: minmax(10rem, max-content) 1fr; gap: .3rem 1.25rem; margin: 0; }
dl.summary dt { font-weight: 600; }
dl.summary dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 600px) { dl.summary { grid-template-columns: 1fr; gap: 0; } dl.summary dd { margin-bottom: .5rem; } main h1, main h2, main h3, main legend, main code { overflow-wrap: anywhere; } }
ul.clocks { list-style: none; margin: 0; padding: 0; }
ul.clocks li { margin: 0 0 .25rem; }
.muted { color: var(--muted); }
.overdue, .failed, .bad { color: var(--bad); font-weight: 600; }
.running { color: var(--warn); }
.met, .done { color: var(--good); }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .25rem; font-size: .85rem; font-weight: 600; white-space: nowrap; }
.badge.Critical { background: #7f1d1d; color: #fff; }
.badge.High { background: #b91c1c; color: #fff; }
.badge.Medium { background: #fde68a; color: #111827; }
.badge.Low { background: #e5e7eb; color: #111827; }
.badge.test { background: #e0e7ff; color: #1e3a8a; }
.notacked { color: var(--bad); font-weight: 700; }
.drill { background: #7c2d12; color: #fff; font-weight: 600; padding: .6rem 1rem; margin: 0 0 .5rem; flex-basis: 100%; }
.flash { border-left: 6px solid var(--good); background: #ecfdf5; padding: .75rem 1rem; margin: 1rem 0; }
.problem { border: 3px solid var(--bad); padding: .75rem 1rem; margin: 1rem 0; }
.problem h2 { border: 0; margin: 0 0 .5rem; font-size: 1.15rem; }
.blockers { border-left: 6px solid var(--warn); background: #fffbeb; padding: .5rem 1rem; }
.attention { border-left: 6px solid var(--warn); background: #fffbeb; padding: .5rem 1rem .5rem 2rem; margin: 1rem 0; }
.layout { display: grid; grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); gap: 0 2.5rem; }
@media (max-width: 1000px) { .layout { grid-template-columns: 1fr; } }
form.action { border: 1px solid var(--line); border-radius: .4rem; padding: .75rem 1rem 1rem; margin: 0 0 1.25rem; background: #fcfcfd; }
form.action h3 { margin-top: 0; }
.field { margin: 0 0 .85rem; }
.field > label, .field > fieldset > legend { display: block; font-weight: 600; margin-bottom: .2rem; }
.field fieldset { border: 0; margin: 0; padding: 0; }
.field .hint { color: var(--muted); font-size: .9rem; margin: 0 0 .25rem; }
.field .error { color: var(--bad); font-weight: 600; margin: .1rem 0 .25rem; }
.field.invalid input, .field.invalid select, .field.invalid textarea { border-color: var(--bad); border-width: 2px; }
input[type=text], input[type=datetime-local], input[type=date], select, textarea { font: inherit; padding: .35rem .5rem; border: 1px solid #6b7280; border-radius: .25rem; width: 100%; max-width: 36rem; background: #fff; color: var(--fg); }
textarea { min-height: 4.5rem; }
.choices label { font-weight: 400; margin-right: 1rem; white-space: nowrap; }
button { font: inherit; padding: .45rem 1.1rem; border-radius: .3rem; border: 1px solid #1e3a8a; background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
.draft-field { display: grid; grid-template-columns: minmax(12rem, 22rem) 1fr auto; gap: .5rem 1rem; align-items: start; padding: .4rem 0; border-bottom: 1px solid var(--line); }
.draft-field label { font-weight: 600; }
.draft-field textarea { max-width: none; min-height: 2.5rem; background: var(--soft); }
.draft-field .empty { color: var(--bad); }
dd.told { white-space: pre-wrap; }
pre.message { white-space: pre-wrap; background: var(--soft); padding: .75rem; border-radius: .25rem; font-size: .9rem; }
.timeline-picture { overflow-x: auto; border: 1px solid var(--line); padding: .5rem; }
.timeline-picture svg { max-width: 100%; height: auto; }
.runbook pre { background: var(--soft); padding: .75rem; overflow-x: auto; }
.runbook code { background: var(--soft); padding: 0 .2rem; }
form.inline { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; align-items: end; }
form.inline .field { margin: 0; }
ul.links { padding-left: 1.2rem; }
td code, th code, dd code { overflow-wrap: anywhere; }
abbr[title] { text-decoration: none; }
`;

export const APP_JS = `
(function () {
  'use strict';
  var body = document.body;
  var lang = document.documentElement.lang === 'en' ? 'en' : 'nl';
  var skew = Date.parse(body.getAttribute('data-now')) - Date.now();

  function span(ms) {
    var total = Math.floor(Math.abs(ms) / 60000);
    var d = Math.floor(total / 1440), h = Math.floor((total % 1440) / 60), m = total % 60;
    var H = lang === 'nl' ? 'u' : 'h';
    if (d > 0) return d + 'd ' + h + H;
    if (h > 0) return h + H + ' ' + m + 'm';
    return m + 'm';
  }
  function left(due) {
    var ms = Date.parse(due) - (Date.now() + skew);
    var s = span(ms);
    if (ms >= 0) return lang === 'nl' ? 'nog ' + s : s + ' left';
    return lang === 'nl' ? s + ' te laat' : 'overdue by ' + s;
  }
  // A server started with --now shows that moment; its clock does not move, so neither does the page.
  if (body.getAttribute('data-live') === 'on') {
    setInterval(function () {
      var els = document.querySelectorAll('[data-due]');
      for (var i = 0; i < els.length; i++) els[i].textContent = left(els[i].getAttribute('data-due'));
    }, 30000);
  }

  var buttons = document.querySelectorAll('button[data-copy]');
  for (var i = 0; i < buttons.length; i++) {
    (function (button) {
      button.hidden = false;
      button.addEventListener('click', function () {
        var source = document.getElementById(button.getAttribute('data-copy'));
        if (!source) return;
        var text = source.value;
        var done = function () {
          button.textContent = button.getAttribute('data-copied');
          setTimeout(function () { button.textContent = button.getAttribute('data-label'); }, 2000);
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(done, function () { source.select(); document.execCommand('copy'); done(); });
        } else {
          source.select();
          document.execCommand('copy');
          done();
        }
      });
    })(buttons[i]);
  }
})();
`;
