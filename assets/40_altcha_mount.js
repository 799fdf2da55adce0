/* Mount the vendored ALTCHA widget (05_vendor_altcha-*.js, loaded first by file order) into the
   registration form, which Dash renders after page load: any `.ra-captcha[data-challenge]`
   placeholder gets one <altcha-widget> whose payload is posted as the form field `data-name`.
   Also honours `[data-redirect]` markers (signed-in users opening /login or /registro) with
   location.replace, so the back button does not loop. */
(function () {
  "use strict";
  var scheduled = false;

  function mountCaptchas(root) {
    var slots = root.querySelectorAll(".ra-captcha[data-challenge]");
    for (var i = 0; i < slots.length; i++) {
      var slot = slots[i];
      if (slot.querySelector("altcha-widget")) { continue; }
      var widget = document.createElement("altcha-widget");
      widget.setAttribute("challenge", slot.getAttribute("data-challenge"));
      widget.setAttribute("name", slot.getAttribute("data-name") || "altcha");
      widget.setAttribute("language", "es-419");
      widget.setAttribute("type", "checkbox");
      widget.setAttribute("auto", "off");
      slot.appendChild(widget);
    }
  }

  function followRedirect(root) {
    var marker = root.querySelector("[data-redirect]");
    if (marker) {
      var target = marker.getAttribute("data-redirect");
      if (target && target.charAt(0) === "/" && target.charAt(1) !== "/") { window.location.replace(target); }
    }
  }

  function scan() {
    scheduled = false;
    mountCaptchas(document);
    followRedirect(document);
  }

  function schedule() {
    if (!scheduled) { scheduled = true; window.requestAnimationFrame(scan); }
  }

  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true });
  if (document.readyState !== "loading") { schedule(); } else { document.addEventListener("DOMContentLoaded", schedule); }
})();
