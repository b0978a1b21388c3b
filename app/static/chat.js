/* Heard web chat: progressive enhancement. No frameworks, no inline script.
 *
 * Without this file the page is plain forms (post-redirect-get) and works.
 * With it: an answer is posted in place, new messages are added to the live
 * log (so only they are announced), the rest of <main> is replaced with the
 * fresh page (with its fresh nonce), and focus moves to the newest message.
 * Any failure falls back to an ordinary form submit: the nonce makes a
 * repeated post harmless.
 */
(function () {
  "use strict";

  if (!window.fetch || !window.DOMParser || !window.URLSearchParams || !document.querySelector) {
    return;
  }

  var busy = false;
  var lastClicked = null; // for browsers without SubmitEvent.submitter

  document.addEventListener(
    "click",
    function (event) {
      var button = event.target && event.target.closest && event.target.closest("button[type=submit]");
      if (button) {
        lastClicked = button;
      }
    },
    true
  );

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.getAttribute) {
      return;
    }
    var kind = form.getAttribute("data-enhance");
    if (kind === "answer") {
      onAnswer(event, form);
    } else if (kind === "text-size") {
      onTextSize(event, form);
    }
  });

  function submitterOf(event, form) {
    var submitter = event.submitter || lastClicked;
    return submitter && submitter.form === form ? submitter : null;
  }

  /* ---- Answers ---- */

  function onAnswer(event, form) {
    if (form.getAttribute("data-fallback") === "1") {
      return; // let the browser post it normally
    }
    event.preventDefault();
    if (busy) {
      return; // one post at a time: no double answers
    }
    var submitter = submitterOf(event, form);
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    busy = true;
    setBusy(true);

    var pageUrl = window.location.href.split("#")[0];
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(data),
      credentials: "same-origin",
      headers: { Accept: "text/html" },
      redirect: "follow",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("post failed: " + response.status);
        }
        // The post redirects back to the page; fetch it afresh either way.
        return fetch(pageUrl, {
          credentials: "same-origin",
          cache: "no-store",
          headers: { Accept: "text/html" },
        });
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("reload failed: " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var freshMain = doc.getElementById("main");
        if (!freshMain) {
          throw new Error("no main in page");
        }
        updateMain(freshMain);
        busy = false;
        setBusy(false);
        focusLatest();
      })
      .catch(function () {
        fallback(form, submitter);
      });
  }

  function fallback(form, submitter) {
    busy = false;
    setBusy(false);
    form.setAttribute("data-fallback", "1");
    if (form.requestSubmit) {
      form.requestSubmit(submitter || undefined);
    } else {
      if (submitter && submitter.name) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = submitter.name;
        hidden.value = submitter.value;
        form.appendChild(hidden);
      }
      form.submit();
    }
  }

  function setBusy(on) {
    var main = document.getElementById("main");
    if (!main) {
      return;
    }
    if (on) {
      main.setAttribute("aria-busy", "true");
    } else {
      main.removeAttribute("aria-busy");
    }
    var controls = main.querySelectorAll(".answer button, .commands button, .answer textarea, .answer input");
    for (var i = 0; i < controls.length; i++) {
      if (controls[i].type === "hidden") {
        continue;
      }
      if (controls[i].tagName === "BUTTON") {
        controls[i].disabled = on;
      } else {
        controls[i].readOnly = on;
      }
    }
  }

  /* Add only the new messages to the live log, so a screen reader announces
     just them; replace everything else in <main> with the fresh page's. */
  function updateMain(freshMain) {
    var main = document.getElementById("main");
    var logSection = main.querySelector("section.log");
    var list = document.getElementById("messages");
    var freshLogSection = freshMain.querySelector("section.log");
    var freshList = freshMain.querySelector("#messages");

    if (!logSection || !list || !freshLogSection || !freshList || freshList.children.length < list.children.length) {
      main.innerHTML = freshMain.innerHTML;
      return;
    }

    var oldCount = list.children.length;
    var freshItems = freshList.children;
    if (freshItems.length > oldCount) {
      var previous = document.getElementById("latest");
      if (previous) {
        previous.removeAttribute("id");
        previous.removeAttribute("tabindex");
      }
      for (var i = oldCount; i < freshItems.length; i++) {
        var item = document.importNode(freshItems[i], true);
        item.classList.add("msg-new");
        list.appendChild(item);
      }
    }

    // Everything around the log: drop ours, bring in the fresh page's, same order.
    var child = main.firstChild;
    while (child) {
      var next = child.nextSibling;
      if (child !== logSection) {
        main.removeChild(child);
      }
      child = next;
    }
    var before = true;
    var nodes = Array.prototype.slice.call(freshMain.childNodes);
    for (var j = 0; j < nodes.length; j++) {
      if (nodes[j] === freshLogSection) {
        before = false;
        continue;
      }
      var copy = document.importNode(nodes[j], true);
      if (before) {
        main.insertBefore(copy, logSection);
      } else {
        main.appendChild(copy);
      }
    }
  }

  function focusLatest() {
    var latest = document.getElementById("latest");
    if (latest) {
      latest.focus();
    }
  }

  // After a plain (no-script or fallback) post, the page comes back at #latest.
  if (window.location.hash === "#latest") {
    focusLatest();
  }

  /* ---- Text size ---- */

  function onTextSize(event, form) {
    event.preventDefault();
    var button = form.querySelector("button[name=size]");
    if (!button) {
      return;
    }
    var large = button.value === "large";
    document.documentElement.classList.toggle("large-text", large);
    button.value = large ? "normal" : "large";
    var label = button.querySelector(".text-size-label") || button;
    label.textContent = button.getAttribute(large ? "data-normal-label" : "data-large-label");
    var size = large ? "large" : "normal";
    document.cookie = "heard_text_size=" + size + "; path=/; max-age=31536000; SameSite=Lax";
    // The server's cookie (HttpOnly) wins over ours, so tell it too; no reload.
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams({ size: size }),
      credentials: "same-origin",
      redirect: "manual",
    }).catch(function () {});
  }
})();
