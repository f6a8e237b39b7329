/// The site's one script, inlined into every page (plain JavaScript, no libraries, works from
/// `file://`). Everything it adds is an enhancement: without it the pages read the same.
///
/// * copy buttons on code blocks;
/// * click (or Enter) on a figure shows it enlarged; Esc or a click closes it;
/// * ← and → go to the previous and next chapter, `/` focuses search;
/// * search over `window.FVBOOK_SEARCH` (``SearchIndex``): every word must occur in a section;
///   headings weigh more; Enter opens the first result;
/// * a link to a folded set-up cell (`#cell-1`) unfolds it.
enum Script {
    static let js = #"""
    (function () {
      "use strict";
      var doc = document;
      function all(selector, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(selector)); }
      function element(tag, className, text) {
        var node = doc.createElement(tag);
        if (className) node.className = className;
        if (text !== undefined) node.textContent = text;
        return node;
      }

      // Copy buttons.
      function copyText(text) {
        if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
        return new Promise(function (resolve, reject) {
          var area = element("textarea");
          area.value = text;
          area.setAttribute("readonly", "");
          area.style.position = "fixed";
          area.style.opacity = "0";
          doc.body.appendChild(area);
          area.select();
          var copied = false;
          try { copied = doc.execCommand("copy"); } catch (error) { copied = false; }
          doc.body.removeChild(area);
          if (copied) resolve(); else reject(new Error("copy refused"));
        });
      }
      all("pre.code, .prose pre").forEach(function (pre) {
        var wrap = element("div", "code-wrap");
        pre.parentNode.insertBefore(wrap, pre);
        wrap.appendChild(pre);
        var button = element("button", "copy", "Copy");
        button.type = "button";
        button.setAttribute("aria-label", "Copy the code");
        button.addEventListener("click", function () {
          copyText(pre.textContent.replace(/\n$/, "")).then(function () { button.textContent = "Copied"; },
            function () { button.textContent = "Select and copy"; });
          setTimeout(function () { button.textContent = "Copy"; }, 1600);
        });
        wrap.appendChild(button);
      });

      // Click to zoom.
      var overlay = null, opener = null;
      function closeZoom() {
        if (!overlay) return;
        overlay.parentNode.removeChild(overlay);
        overlay = null;
        if (opener) opener.focus();
      }
      function openZoom(link) {
        closeZoom();
        opener = link;
        var image = link.querySelector("img");
        var figure = link.closest("figure");
        var caption = figure ? figure.querySelector("figcaption") : null;
        overlay = element("div", "zoom-overlay");
        overlay.setAttribute("role", "dialog");
        overlay.setAttribute("aria-modal", "true");
        overlay.setAttribute("aria-label", "enlarged figure");
        var big = element("img", image && image.classList.contains("pixelated") ? "pixelated" : "");
        big.src = link.getAttribute("href");
        big.alt = image ? image.alt : "";
        overlay.appendChild(big);
        if (caption) {
          var text = element("div", "zoom-caption");
          text.innerHTML = caption.innerHTML;
          overlay.appendChild(text);
        }
        var close = element("button", "zoom-close", "×");
        close.type = "button";
        close.setAttribute("aria-label", "close");
        overlay.appendChild(close);
        overlay.addEventListener("click", closeZoom);
        doc.body.appendChild(overlay);
        close.focus();
      }
      doc.addEventListener("click", function (event) {
        var link = event.target.closest ? event.target.closest("a.zoom-link") : null;
        if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        openZoom(link);
      });

      // A link to a folded cell unfolds it.
      function unfoldTarget() {
        var id = decodeURIComponent(location.hash.slice(1));
        var target = id ? doc.getElementById(id) : null;
        if (!target) return;
        var details = target.querySelector(":scope > details");
        if (details) details.open = true;
        var parent = target.closest("details");
        if (parent) parent.open = true;
      }
      window.addEventListener("hashchange", unfoldTarget);
      unfoldTarget();

      // Search.
      var input = doc.getElementById("search"), box = doc.getElementById("search-results"), entries = null;
      function load() {
        if (!entries) {
          entries = (window.FVBOOK_SEARCH || []).map(function (entry) {
            return { entry: entry, text: entry.x.toLowerCase(), title: (entry.c + " " + entry.h).toLowerCase() };
          });
        }
        return entries;
      }
      function occurrences(text, term) {
        var count = 0, at = text.indexOf(term);
        while (at >= 0 && count < 50) { count += 1; at = text.indexOf(term, at + term.length); }
        return count;
      }
      function search(query) {
        var terms = query.toLowerCase().split(/\s+/).filter(function (term) { return term.length > 0; });
        if (!terms.length) return { terms: terms, hits: [] };
        var hits = [];
        load().forEach(function (item) {
          var score = 0;
          for (var i = 0; i < terms.length; i++) {
            var inText = occurrences(item.text, terms[i]), inTitle = item.title.indexOf(terms[i]) >= 0;
            if (!inText && !inTitle) return;
            score += inText + (inTitle ? 10 : 0);
          }
          hits.push({ item: item, score: score });
        });
        hits.sort(function (a, b) { return b.score - a.score; });
        return { terms: terms, hits: hits.slice(0, 12) };
      }
      function snippet(item, terms) {
        var at = -1;
        terms.forEach(function (term) { var found = item.text.indexOf(term); if (found >= 0 && (at < 0 || found < at)) at = found; });
        var start = Math.max(0, at - 50), end = Math.min(item.entry.x.length, start + 150);
        var text = item.entry.x.slice(start, end).replace(/\s+/g, " "), lower = text.toLowerCase();
        var node = element("span", "snippet");
        var position = 0;
        if (start > 0) node.appendChild(doc.createTextNode("…"));
        while (position < text.length) {
          var next = -1, length = 0;
          terms.forEach(function (term) {
            var found = lower.indexOf(term, position);
            if (found >= 0 && (next < 0 || found < next)) { next = found; length = term.length; }
          });
          if (next < 0) { node.appendChild(doc.createTextNode(text.slice(position))); break; }
          node.appendChild(doc.createTextNode(text.slice(position, next)));
          node.appendChild(element("mark", "", text.slice(next, next + length)));
          position = next + length;
        }
        if (end < item.entry.x.length) node.appendChild(doc.createTextNode("…"));
        return node;
      }
      function showResults() {
        var query = input.value.trim();
        box.textContent = "";
        if (!query) { box.hidden = true; return; }
        var found = search(query);
        if (!found.hits.length) {
          box.appendChild(element("p", "none", "Nothing found for “" + query + "”."));
        } else {
          var list = element("ol");
          found.hits.forEach(function (hit) {
            var link = element("a");
            link.href = hit.item.entry.u;
            link.appendChild(element("span", "where", hit.item.entry.c + (hit.item.entry.h ? " › " + hit.item.entry.h : "")));
            link.appendChild(snippet(hit.item, found.terms));
            var row = element("li");
            row.appendChild(link);
            list.appendChild(row);
          });
          box.appendChild(list);
        }
        box.hidden = false;
      }
      if (input && box) {
        input.addEventListener("input", showResults);
        input.addEventListener("focus", function () { if (input.value.trim()) showResults(); });
        input.addEventListener("keydown", function (event) {
          var first = box.querySelector("a");
          if (event.key === "Enter" && first) { event.preventDefault(); location.href = first.href; }
          if (event.key === "ArrowDown" && first) { event.preventDefault(); first.focus(); }
          if (event.key === "Escape") { input.value = ""; box.hidden = true; input.blur(); }
        });
        box.addEventListener("keydown", function (event) {
          var links = all("a", box), at = links.indexOf(doc.activeElement);
          if (event.key === "ArrowDown" && at + 1 < links.length) { event.preventDefault(); links[at + 1].focus(); }
          if (event.key === "ArrowUp") { event.preventDefault(); if (at > 0) links[at - 1].focus(); else input.focus(); }
          if (event.key === "Escape") { box.hidden = true; input.focus(); }
        });
        doc.addEventListener("click", function (event) {
          if (!event.target.closest || !event.target.closest(".search")) box.hidden = true;
        });
      }

      // Keyboard: ← → between chapters, / to search, Esc closes.
      doc.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { closeZoom(); return; }
        var target = event.target, typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
          target.tagName === "SELECT" || target.isContentEditable);
        if (typing || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || overlay) return;
        if (event.key === "/" && input) { event.preventDefault(); input.focus(); return; }
        var rel = event.key === "ArrowLeft" ? "prev" : event.key === "ArrowRight" ? "next" : null;
        var link = rel ? doc.querySelector('link[rel="' + rel + '"]') : null;
        if (link) location.href = link.href;
      });
    })();
    """#
}
