#!/usr/bin/env bash
# The site in a real browser: builds the book in quick mode into a scratch folder (never site/),
# then drives headless Chromium over every page — light and dark (prefers-color-scheme), 1280 and
# 390 CSS px wide — through the DevTools protocol on a pipe (Python's standard library only).
#
# Fails on: a JavaScript error or a console error (a missing file included), an image that does
# not load, anything wider than the page's column (or a page that scrolls sideways), a figure
# shown narrower than 224 px, search not finding a word from every chapter, and the page script's
# features not working (copy buttons, zoom, ← → between chapters). The atlas's pages are checked
# too (its index, every layer's grid, each layer's first and last channel page; without the book's
# search box and with its natural patches as thumbnails): the quick build merges a small atlas.
#
# Screenshots of every page and variant go to $SHOTS (default /tmp/fvbook-site-shots): the top of
# each page, or every screenful with SHOT_MODE=full.
#
#   scripts/ci/20-site-browser.sh                 # build, then check
#   SITE=.build/site-quick scripts/ci/20-site-browser.sh   # check an existing site only
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

scratch=$(mktemp -d /tmp/fvbook-site-browser.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
if [ -z "${SITE:-}" ]; then
    nice -n 10 swift build --product fvbook
    status=0
    .build/debug/fvbook build --quick --site "$scratch/site" --cache "$scratch/cache" || status=$?
    # 1: a chapter failed (make test reports it); the pages exist and are checked all the same.
    if [ "$status" -gt 1 ]; then echo "fvbook build failed with status $status" >&2; exit "$status"; fi
    # A small real atlas (16 channels, few steps) merged in, so its pages are checked too.
    .build/debug/fvbook atlas --layers _blocks.0 --steps 4 --size 32 --out "$scratch/atlas" --quiet > /dev/null
    .build/debug/fvbook atlas --merge "$scratch/atlas" --site "$scratch/site" > /dev/null
    SITE="$scratch/site"
fi

python3 - "$SITE" "${SHOTS:-/tmp/fvbook-site-shots}" "${SHOT_MODE:-top}" "$scratch" <<'PY'
import base64, fcntl, json, os, re, select, subprocess, sys, time

site, shots, shot_mode, scratch = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
os.makedirs(shots, exist_ok=True)
pages = ["index.html"] + sorted(name for name in os.listdir(site) if name.endswith(".html") and name != "index.html")
chapters = [name for name in pages if name != "index.html"]
if not chapters:
    sys.exit(f"no chapter pages in {site}")
# The atlas's pages, when the site has an atlas: its index, each layer's grid, and the first and
# last channel page of each layer.
atlas_pages = []
if os.path.isfile(os.path.join(site, "atlas", "index.html")):
    atlas_pages.append("atlas/index.html")
    for grid in sorted(name for name in os.listdir(os.path.join(site, "atlas")) if name.endswith(".html") and name != "index.html"):
        atlas_pages.append(f"atlas/{grid}")
        numbers = sorted(int(name[:-5]) for name in os.listdir(os.path.join(site, "atlas", grid[:-5])) if name.endswith(".html"))
        atlas_pages += [f"atlas/{grid[:-5]}/{n}.html" for n in sorted({numbers[0], numbers[-1]})]


class Browser:
    """Chromium with the DevTools protocol on fds 3 (commands in) and 4 (replies out)."""

    def __init__(self):
        commands_read, self.commands = os.pipe()
        self.replies, replies_write = os.pipe()

        def plumb():
            # Copies above 10 first, so dup2 onto 3 and 4 cannot close the other end.
            high_in = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
            high_out = fcntl.fcntl(replies_write, fcntl.F_DUPFD, 10)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self.process = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--mute-audio", "--remote-debugging-pipe",
             f"--user-data-dir={scratch}/profile", "about:blank"],
            preexec_fn=plumb, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_read)
        os.close(replies_write)
        self.buffer, self.next_id, self.events = b"", 0, []

    def read(self, timeout):
        deadline = time.time() + timeout
        while b"\0" not in self.buffer:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.replies], [], [], left)[0]:
                raise TimeoutError("no reply from Chromium")
            chunk = os.read(self.replies, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.read(timeout)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method, session, timeout=30):
        deadline = time.time() + timeout
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self.events.pop(index)
            self.events.append(self.read(max(deadline - time.time(), 0.01)))

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Tab:
    def __init__(self, browser, width, scheme):
        self.browser = browser
        self.target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": self.target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
        self.send("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})

    def send(self, method, params=None, timeout=30):
        return self.browser.send(method, params, self.session, timeout)

    def open(self, url):
        self.browser.events = [e for e in self.browser.events if e.get("sessionId") != self.session]
        self.send("Page.navigate", {"url": url})
        self.browser.wait_for("Page.loadEventFired", self.session)

    def evaluate(self, expression, timeout=30):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                           timeout)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def errors(self):
        """JavaScript exceptions, console errors and failed loads reported since the page opened."""
        found = []
        for event in list(self.browser.events):
            if event.get("sessionId") != self.session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append("JavaScript error: " + details.get("exception", {}).get("description", details.get("text", "")))
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                found.append("console error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"{params['entry']['text']} {params['entry'].get('url', '')}".strip())
        return found

    def screenshot(self, path):
        """The viewport at each screenful (scrolled, so sticky parts sit where a reader sees them)."""
        height = self.evaluate("document.documentElement.scrollHeight")
        tops = [0] if shot_mode != "full" else list(range(0, min(height, 40000), 800))
        for number, top in enumerate(tops):
            self.evaluate(f"window.scrollTo(0, {top}); new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
            with open(path.replace(".png", f"-{number:02d}.png"), "wb") as file:
                file.write(base64.b64decode(data))


CHECKS = r"""
(async (bookPage) => {
  const problems = [];
  const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  // Every image, lazy ones included, must load.
  const images = Array.from(document.images);
  await Promise.all(images.map(img => {
    img.loading = "eager";
    return img.complete ? null : new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done);
                                                        setTimeout(done, 10000); });
  }));
  for (const img of images) if (!img.complete || img.naturalWidth === 0) problems.push("image does not load: " + img.getAttribute("src"));
  // Nothing sideways: the page does not scroll horizontally, nothing leaves main's column.
  const root = document.documentElement;
  if (root.scrollWidth > innerWidth + 1) problems.push(`the page scrolls sideways: ${root.scrollWidth} px > ${innerWidth} px`);
  const main = document.querySelector("main");
  if (main) {
    const box = main.getBoundingClientRect(), style = getComputedStyle(main);
    const left = box.left + parseFloat(style.paddingLeft) - 1, right = box.right - parseFloat(style.paddingRight) + 1;
    const scrolls = el => { for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) return true; } return false; };
    let count = 0;
    for (const el of main.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || scrolls(el)) continue;
      if (r.right > right || r.left < left) {
        if (count++ < 5) problems.push(`${describe(el)} overflows the column: ${Math.round(r.left)}…${Math.round(r.right)} outside ${Math.round(left)}…${Math.round(right)}`);
      }
    }
  }
  // Figures at a readable size (an atlas channel's natural patches are thumbnails by design).
  for (const img of document.querySelectorAll("figure:not(.atlas-patch) img")) {
    const width = img.getBoundingClientRect().width;
    if (width < 223.5) problems.push(`figure ${img.getAttribute("src")} shown at ${width.toFixed(0)} px (< 224)`);
  }
  // The page script's additions.
  const code = document.querySelectorAll("pre.code").length, buttons = document.querySelectorAll(".code-wrap > button.copy").length;
  if (buttons < code) problems.push(`${code} code blocks but ${buttons} copy buttons`);
  const search = document.getElementById("search");
  if (bookPage && (!search || search.getBoundingClientRect().width < 100)) problems.push("no visible search box");
  const zoom = document.querySelector("a.zoom-link");
  if (zoom) {
    zoom.click();
    const overlay = document.querySelector(".zoom-overlay");
    if (!overlay || !overlay.querySelector("img")) problems.push("clicking a figure does not enlarge it");
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    if (document.querySelector(".zoom-overlay")) problems.push("Esc does not close the enlarged figure");
    if (document.activeElement) document.activeElement.blur();
  }
  return problems;
})
"""

SEARCH = r"""
(async (word, page) => {
  const input = document.getElementById("search");
  input.value = word;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  const links = Array.from(document.querySelectorAll("#search-results a")).map(a => a.getAttribute("href"));
  input.value = "";
  input.dispatchEvent(new Event("input", { bubbles: true }));
  return links.some(href => href === page || href.startsWith(page + "#")) ? null : `search for "${word}" does not find ${page} (got ${links.slice(0, 5).join(", ") || "nothing"})`;
})
"""

WORDS = r"""
Array.from(document.querySelectorAll("article .prose p, article .prose li")).map(p => p.innerText).join(" ")
"""

browser = Browser()
failures, started = [], time.time()
try:
    words = {}
    for width in (1280, 390):
        for scheme in ("light", "dark"):
            tab = Tab(browser, width, scheme)
            for page in pages + atlas_pages:
                tab.open(f"file://{site}/{page}")
                problems = tab.evaluate(f"{CHECKS}({json.dumps(page in pages)})", timeout=60)
                if page in chapters and not words.get(page):
                    words[page] = tab.evaluate(WORDS) or ""
                tab.screenshot(os.path.join(shots, f"{page[:-5].replace('/', '_')}-{width}-{scheme}.png"))
                problems += tab.errors()
                failures += [(f"{page} at {width} px, {scheme}", problem) for problem in problems]
            # Search from the index: the rarest long word of each chapter's prose must find that chapter.
            tab.open(f"file://{site}/index.html")
            tokens = {page: re.findall(r"[A-Za-z]{7,}", text.lower()) for page, text in words.items()}
            counts = {}
            for found in tokens.values():
                for token in found:
                    counts[token] = counts.get(token, 0) + 1
            for page in chapters:
                candidates = sorted(set(tokens.get(page, [])), key=lambda t: (counts[t], -len(t), t))
                if not candidates:
                    failures.append((page, "no prose words to search for"))
                    continue
                problem = tab.evaluate(f"{SEARCH}({json.dumps(candidates[0])}, {json.dumps(page)})")
                if problem:
                    failures.append((f"search at {width} px, {scheme}", problem))
            failures += [(f"index.html at {width} px, {scheme}", problem) for problem in tab.errors()]
            browser.send("Target.closeTarget", {"targetId": tab.target})
    # The keyboard: → on the first chapter opens the second, ← goes back to the first.
    tab = Tab(browser, 1280, "light")
    tab.open(f"file://{site}/{chapters[0]}")
    for key, code, wanted in (("ArrowRight", 39, chapters[1] if len(chapters) > 1 else chapters[0]), ("ArrowLeft", 37, chapters[0])):
        for kind in ("keyDown", "keyUp"):
            tab.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code})
        if len(chapters) > 1:
            tab.browser.wait_for("Page.loadEventFired", tab.session)
            where = tab.evaluate("location.pathname.split('/').pop()")
            if where != wanted:
                failures.append(("keyboard", f"{key} went to {where}, not {wanted}"))
finally:
    browser.close()

print(f"checked {len(pages)} book pages and {len(atlas_pages)} atlas pages × 2 widths × 2 colour schemes in {time.time() - started:.0f} s; screenshots in {shots}")
for where, problem in failures:
    print(f"FAIL {where}: {problem}")
# One check per page and variant, one search per variant, one keyboard check.
failed = len({where for where, _ in failures})
print(f"{4 * (len(pages) + len(atlas_pages)) + 4 + 1 - failed} passed, {failed} failed")
sys.exit(1 if failures else 0)
PY
