"""The browser half of scripts/ci/30-serve-browser.sh: drives `fvbook serve` as a reader would.

Every step asserts what a wrong server would get wrong; the first failure exits non-zero with
what was expected and what the page showed. Prints the bad requests tried with the status and
body each got, and the measured times.
"""
import argparse
import hashlib
import http.client
import json
import os
import re
import socket
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--scratch", required=True)
parser.add_argument("--root", required=True)
parser.add_argument("--screenshots", required=True)
args = parser.parse_args()

PORT = args.port
BASE = f"http://127.0.0.1:{PORT}"
CHAPTER = os.path.join(args.scratch, "chapters", "01-edit.md")
os.makedirs(args.screenshots, exist_ok=True)
failures = []


def check(condition, claim):
    print(("ok   " if condition else "FAIL ") + claim, flush=True)
    if not condition:
        failures.append(claim)
    return condition


def require(condition, claim):
    if not check(condition, claim):
        sys.exit(f"{len(failures)} failed: {failures}")


def raw_request(method, path, headers, body=b""):
    """One request written byte for byte (no client normalizes the path or the Host)."""
    lines = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers] + [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    with socket.create_connection(("127.0.0.1", PORT), timeout=10) as s:
        s.sendall("\r\n".join(lines).encode() + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    return status, payload.decode(errors="replace").strip()


def get(path, host=f"127.0.0.1:{PORT}"):
    return raw_request("GET", path, [("Host", host)])


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def wait_for(description, predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception:  # the page is reloading; try again
            pass
        time.sleep(0.05)
    require(False, f"{description} within {timeout} s")


# The server is up and has run the fixture chapter once (its page exists).
wait_for("the server answers", lambda: get("/")[0] == 200, 120)
wait_for("the first run wrote 01-edit.html", lambda: get("/01-edit.html")[0] == 200, 300)
status, page = get("/01-edit.html")
token = re.search(r'"token": "([0-9a-f]{64})"', page)
require(token is not None, "the served page embeds a 64-digit token")
token = token.group(1)
require('data-chapter="' in page and 'data-lines="' in page, "code cells carry data-chapter and data-lines")
require(get("/")[0] == 200 and "__FVBOOK__" in get("/")[1], "the index is served with the editor script")
static_page = open(os.path.join(args.scratch, "site", "01-edit.html")).read()
require("__FVBOOK__" not in static_page, "the static site file has no editor script (it is added only when serving)")

# Bad requests: each must be refused, and nothing may be written.
origin = f"http://127.0.0.1:{PORT}"
good_host = f"127.0.0.1:{PORT}"
digest_before = file_digest(CHAPTER)
outside = os.path.join(args.root, "README.md")
readme_before = file_digest(outside)
edit = lambda chapter: json.dumps({"chapter": chapter, "cell": 2, "base": "x", "code": "print(1)"}).encode()
chapter_path = CHAPTER  # outside the project root, pages name the chapter by its absolute path
bad = [
    ("GET / with a foreign Host (DNS rebinding)", "GET", "/", [("Host", f"attacker.example:{PORT}")], b"", 403),
    ("GET / with Host of another port", "GET", "/", [("Host", f"127.0.0.1:{PORT + 1}")], b"", 403),
    ("GET / without Host", "GET", "/", [], b"", 403),
    ("GET / with two Host headers", "GET", "/", [("Host", good_host), ("Host", "attacker.example")], b"", 403),
    ("GET / with a foreign Origin", "GET", "/", [("Host", good_host), ("Origin", "http://attacker.example")], b"", 403),
    ("GET events with a foreign Origin", "GET", "/_fvbook/events", [("Host", good_host), ("Origin", "http://attacker.example")], b"", 403),
    ("GET /../README.md (raw path traversal)", "GET", "/../README.md", [("Host", good_host)], b"", 403),
    ("GET /%2e%2e/%2e%2e/etc/passwd (encoded traversal)", "GET", "/%2e%2e/%2e%2e/etc/passwd", [("Host", good_host)], b"", 403),
    ("GET /01-edit/..%2f..%2fchapters/01-edit.md", "GET", "/01-edit/..%2f..%2fchapters/01-edit.md", [("Host", good_host)], b"", 403),
    ("POST edit without a token", "POST", "/_fvbook/edit", [("Host", good_host), ("Origin", origin), ("Content-Type", "application/json")], edit(chapter_path), 403),
    ("POST edit with a wrong token", "POST", "/_fvbook/edit", [("Host", good_host), ("Origin", origin), ("X-FVBook-Token", "0" * 64)], edit(chapter_path), 403),
    ("POST edit with the token but no Origin", "POST", "/_fvbook/edit", [("Host", good_host), ("X-FVBook-Token", token)], edit(chapter_path), 403),
    ("POST edit with the token from a foreign Origin", "POST", "/_fvbook/edit", [("Host", good_host), ("Origin", "http://attacker.example"), ("X-FVBook-Token", token)], edit(chapter_path), 403),
    ("POST edit with the token and a foreign Host", "POST", "/_fvbook/edit", [("Host", f"attacker.example:{PORT}"), ("Origin", f"http://attacker.example:{PORT}"), ("X-FVBook-Token", token)], edit(chapter_path), 403),
    ("POST edit of README.md (not a chapter)", "POST", "/_fvbook/edit", [("Host", good_host), ("Origin", origin), ("X-FVBook-Token", token)], edit(outside), 403),
    ("POST edit of chapters/../README.md", "POST", "/_fvbook/edit", [("Host", good_host), ("Origin", origin), ("X-FVBook-Token", token)], edit(os.path.join(args.scratch, "chapters", "..", "server.log")), 403),
    ("POST edit of the book's index.md", "POST", "/_fvbook/edit", [("Host", good_host), ("Origin", origin), ("X-FVBook-Token", token)], edit(os.path.join(args.scratch, "chapters", "index.md")), 403),
    ("POST edit with a malformed body", "POST", "/_fvbook/edit", [("Host", good_host), ("Origin", origin), ("X-FVBook-Token", token)], b"{not json", 400),
    ("POST edit with a stale base (file changed meanwhile)", "POST", "/_fvbook/edit", [("Host", good_host), ("Origin", origin), ("X-FVBook-Token", token)], edit(chapter_path), 409),
    ("PUT /01-edit.html", "PUT", "/01-edit.html", [("Host", good_host), ("Origin", origin), ("X-FVBook-Token", token)], b"x", 405),
]
print("bad requests tried:")
for claim, method, path, headers, body, expected in bad:
    status, text = raw_request(method, path, headers, body)
    check(status == expected, f"{claim}: {status} (want {expected}) {text[:110]!r}")
check(file_digest(CHAPTER) == digest_before, "the chapter file is unchanged after the bad requests")
check(file_digest(outside) == readme_before, "README.md is unchanged after the bad requests")

# The browser: edit the second cell, click Run, wait for the new output and image.
options = Options()
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)
try:
    driver.get(f"{BASE}/01-edit.html")
    wait_for("the Edit buttons", lambda: driver.find_elements(By.CSS_SELECTOR, "#cell-2 .fvbook-edit"), 10)
    require(driver.find_element(By.CSS_SELECTOR, "#cell-2 pre.output").text == "level 0.25", "cell 2 shows its first output")
    driver.find_element(By.CSS_SELECTOR, "#cell-2 .fvbook-edit").click()
    area = driver.find_element(By.CSS_SELECTOR, "#cell-2 textarea.fvbook-editor")
    original = area.get_attribute("value")
    driver.execute_script("arguments[0].value = arguments[1]", area, original.replace("0.25", "0.75"))
    driver.save_screenshot(os.path.join(args.screenshots, "editing.png"))
    started = time.time()
    driver.find_element(By.CSS_SELECTOR, "#cell-2 .fvbook-run").click()
    wait_for("cell 2 shows the edited output 'level 0.75'",
             lambda: driver.find_element(By.CSS_SELECTOR, "#cell-2 pre.output").text == "level 0.75", 120)
    edit_seconds = time.time() - started
    image = driver.find_element(By.CSS_SELECTOR, "#cell-2 img")
    check(image.get_attribute("alt") == "level 0.75", "the new image's caption is 'level 0.75'")
    check(wait_for("the new image loads", lambda: driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image), 10) == 8,
          "the new image is loaded (8 px wide)")
    with open(CHAPTER) as f:
        edited = f.read()
    check(edited == open(os.path.join(args.root, "Tests/Fixtures/books/serve/01-edit.md")).read().replace("let level: Float = 0.25", "let level: Float = 0.75"),
          "the Markdown file changed in exactly the edited line")
    print(f"edit → new output in the page: {edit_seconds:.2f} s")
    driver.save_screenshot(os.path.join(args.screenshots, "edited.png"))

    # A compile error shows at the edited cell with its Markdown line.
    driver.find_element(By.CSS_SELECTOR, "#cell-2 .fvbook-edit").click()
    area = driver.find_element(By.CSS_SELECTOR, "#cell-2 textarea.fvbook-editor")
    driver.execute_script("arguments[0].value = arguments[1]", area, area.get_attribute("value").replace("0.75", '"high"'))
    driver.find_element(By.CSS_SELECTOR, "#cell-2 .fvbook-run").click()
    where = wait_for("a compile error in cell 2", lambda: driver.find_element(By.CSS_SELECTOR, "#cell-2 .box.failure .where").text, 120)
    line = edited.split("\n").index("let level: Float = 0.75") + 1
    check(where.startswith(f"{CHAPTER}:{line}:") or where.startswith(f"{os.path.relpath(CHAPTER, args.root)}:{line}:"),
          f"the compile error names the edited Markdown line {line}: {where!r}")
    driver.save_screenshot(os.path.join(args.screenshots, "compile-error.png"))

    # Live reload after an edit on disk, and the time from save to the page showing it.
    with open(CHAPTER) as f:
        text = f.read()
    saved = time.time()
    with open(CHAPTER + ".tmp", "w") as f:
        f.write(text.replace('let level: Float = "high"', "let level: Float = 0.5"))
    os.replace(CHAPTER + ".tmp", CHAPTER)
    wait_for("the page reloads with 'level 0.5' after the file is saved",
             lambda: driver.find_element(By.CSS_SELECTOR, "#cell-2 pre.output").text == "level 0.5", 120)
    print(f"file save → page shows the change: {time.time() - saved:.2f} s")

    # While a render runs, the page shows its cell and its steps.
    with open(CHAPTER) as f:
        text = f.read()
    with open(CHAPTER + ".tmp", "w") as f:
        f.write(text.replace("steps: 300)", "steps: 3000)"))
    os.replace(CHAPTER + ".tmp", CHAPTER)
    progress = wait_for("a render progress bar in cell 1 while it runs",
                        lambda: driver.execute_script("const p = document.querySelector('#cell-1 progress.fvbook-progress'); return p && p.value > 0 && [p.value, p.max]"), 120)
    check(progress[1] == 3000 and 0 < progress[0] <= 3000, f"the progress bar counts the render's steps: {progress[0]} of {progress[1]}")
    status_text = driver.find_element(By.ID, "fvbook-status").text
    check("running cell 1" in status_text, f"the status names the running cell: {status_text!r}")
    driver.save_screenshot(os.path.join(args.screenshots, "progress.png"))
    wait_for("the run ends and the page reloads",
             lambda: not driver.find_elements(By.CSS_SELECTOR, "progress.fvbook-progress")
             and driver.find_element(By.CSS_SELECTOR, "#cell-2 pre.output").text == "level 0.5", 300)
finally:
    driver.quit()

print(f"{len(failures)} failed" if failures else "serve browser test: all checks passed")
sys.exit(1 if failures else 0)
