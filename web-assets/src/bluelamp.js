/*
 * Bluelamp's citizen portal: the little that JavaScript adds. Every page works without it.
 *
 * - marks the body `js-enabled` (govuk-frontend styles key off it);
 * - quick exit: following `#quick-exit`, or pressing Escape three times within two seconds,
 *   replaces the page with the neutral site (`location.replace`, so Back does not return);
 * - moves focus to the error summary when a page has errors, and from its links to the
 *   field at fault;
 * - warns two minutes before the session times out, in an accessible dialog whose
 *   `Keep my answers` button extends the session (`POST /session/keep-alive`).
 *
 * Loaded with `defer` from the site itself; no inline script (the Content-Security-Policy
 * forbids it).
 */
(function () {
  'use strict';

  var body = document.body;
  body.classList.add('js-enabled');
  body.classList.add('govuk-frontend-supported');

  // ---------------------------------------------------------------------------------
  // Quick exit

  var quickExit = document.getElementById('quick-exit');
  var exitUrl = quickExit ? quickExit.getAttribute('href') : null;

  function leaveNow() {
    if (!exitUrl) {
      return;
    }
    // Hide the page at once, before the neutral site has loaded.
    body.style.display = 'none';
    window.location.replace(exitUrl);
  }

  if (quickExit) {
    quickExit.addEventListener('click', function (event) {
      event.preventDefault();
      leaveNow();
    });
  }

  var escapePresses = [];
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape' && event.key !== 'Esc') {
      return;
    }
    var now = Date.now();
    escapePresses.push(now);
    escapePresses = escapePresses.filter(function (at) {
      return now - at <= 2000;
    });
    if (escapePresses.length >= 3) {
      escapePresses = [];
      leaveNow();
    }
  });

  // ---------------------------------------------------------------------------------
  // Error summary

  var summary = document.querySelector('.govuk-error-summary');
  if (summary) {
    summary.focus();
    summary.addEventListener('click', function (event) {
      var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
      if (!link) {
        return;
      }
      var target = document.getElementById(link.getAttribute('href').slice(1));
      if (!target) {
        return;
      }
      event.preventDefault();
      var legendOrLabel = null;
      var fieldset = target.closest ? target.closest('fieldset') : null;
      if (fieldset) {
        legendOrLabel = fieldset.querySelector('legend');
      }
      if (!legendOrLabel && target.id) {
        legendOrLabel = document.querySelector('label[for="' + target.id + '"]');
      }
      (legendOrLabel || target).scrollIntoView();
      target.focus({ preventScroll: true });
    });
  }

  // ---------------------------------------------------------------------------------
  // Session timeout warning

  function meta(name) {
    var element = document.querySelector('meta[name="' + name + '"]');
    return element ? element.getAttribute('content') : null;
  }

  var idleSeconds = parseInt(meta('bl-session-idle-seconds') || '', 10);
  var csrfToken = meta('bl-csrf-token');
  if (!idleSeconds || !csrfToken || idleSeconds <= 180) {
    return;
  }
  var warnBeforeSeconds = 120;

  var backdrop = document.createElement('div');
  backdrop.className = 'bl-dialog-backdrop';
  backdrop.hidden = true;

  var dialog = document.createElement('div');
  dialog.className = 'bl-dialog';
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'true');
  dialog.setAttribute('aria-labelledby', 'bl-timeout-heading');
  dialog.setAttribute('aria-describedby', 'bl-timeout-text');
  dialog.setAttribute('tabindex', '-1');
  dialog.hidden = true;

  var heading = document.createElement('h2');
  heading.className = 'govuk-heading-m';
  heading.id = 'bl-timeout-heading';
  heading.textContent = 'Your answers will be deleted soon';

  var text = document.createElement('p');
  text.className = 'govuk-body';
  text.id = 'bl-timeout-text';
  text.textContent =
    'To keep your information safe, we delete your answers if you do nothing for ' +
    Math.round(idleSeconds / 60) +
    ' minutes. Your answers will be deleted in 2 minutes.';

  var keep = document.createElement('button');
  keep.type = 'button';
  keep.className = 'govuk-button';
  keep.setAttribute('data-module', 'govuk-button');
  keep.textContent = 'Keep my answers';

  var problem = document.createElement('p');
  problem.className = 'govuk-error-message';
  problem.hidden = true;
  problem.textContent = 'We could not keep your answers. Check your connection and try again.';

  dialog.appendChild(heading);
  dialog.appendChild(text);
  dialog.appendChild(problem);
  dialog.appendChild(keep);
  body.appendChild(backdrop);
  body.appendChild(dialog);

  var returnFocusTo = null;
  var warnTimer = null;
  var expireTimer = null;

  function openDialog() {
    returnFocusTo = document.activeElement;
    backdrop.hidden = false;
    dialog.hidden = false;
    problem.hidden = true;
    dialog.focus();
  }

  function closeDialog() {
    backdrop.hidden = true;
    dialog.hidden = true;
    if (returnFocusTo && typeof returnFocusTo.focus === 'function') {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function startTimers() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(expireTimer);
    warnTimer = window.setTimeout(openDialog, (idleSeconds - warnBeforeSeconds) * 1000);
    expireTimer = window.setTimeout(function () {
      // The answers are gone on the server; do not leave them on the screen.
      window.location.href = '/';
    }, idleSeconds * 1000);
  }

  function keepMyAnswers() {
    var form = new URLSearchParams();
    form.append('csrf_token', csrfToken);
    fetch('/session/keep-alive', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-CSRF-Token': csrfToken
      },
      body: form.toString()
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('keep-alive refused');
        }
        closeDialog();
        startTimers();
      })
      .catch(function () {
        problem.hidden = false;
        keep.focus();
      });
  }

  keep.addEventListener('click', keepMyAnswers);

  // Keep focus inside the dialog while it is open; Escape keeps the answers too.
  dialog.addEventListener('keydown', function (event) {
    if (event.key === 'Tab') {
      event.preventDefault();
      if (document.activeElement === keep) {
        dialog.focus();
      } else {
        keep.focus();
      }
    } else if (event.key === 'Escape' || event.key === 'Esc') {
      keepMyAnswers();
    }
  });

  startTimers();
})();
