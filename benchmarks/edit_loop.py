"""The browser half of benchmarks/edit-loop.sh: the edit loop on a real chapter, timed.

Opens the served 01-basic page in headless Chromium, edits two cells through the page's editor
as a reader would, and times each from the click on Run to the new output in the page. A second
connection listens to the server's event stream, so the time from the chapter program's end
(its `finished` event) to the page showing the result is measured too. Then the server's CPU
time and memory while idle with the page open. Prints one line per figure; exits non-zero when
an edit does not show up.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--server-pid", type=int, required=True)
parser.add_argument("--idle-seconds", type=float, default=30)
parser.add_argument("--screenshots", help="folder for editing.png (the editor open) and edited.png (the result)")
args = parser.parse_args()
BASE = f"http://127.0.0.1:{args.port}"
PAGE = "01-basic"

finished = []  # (time, event) of every `finished` event


def listen():
    """Reads the server's Server-Sent Events and records when each chapter run ends."""
    s = socket.create_connection(("127.0.0.1", args.port))
    s.sendall(f"GET /_fvbook/events?page={PAGE} HTTP/1.1\r\nHost: 127.0.0.1:{args.port}\r\n"
              f"Origin: {BASE}\r\nAccept: text/event-stream\r\n\r\n".encode())
    buffer = b""
    while chunk := s.recv(4096):
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.startswith(b"data:"):
                try:
                    event = json.loads(line[5:])
                except ValueError:
                    continue
                if event.get("type") == "finished":
                    finished.append((time.time(), event))


def wait_for(description, predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception:  # the page is reloading
            pass
        time.sleep(0.02)
    sys.exit(f"timed out: {description} within {timeout} s")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, clock ticks at USER_HZ 100


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return -1


threading.Thread(target=listen, daemon=True).start()
options = Options()
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(60)


def cell_with(text):
    """The id of the code cell whose source contains `text`."""
    for cell in driver.find_elements(By.CSS_SELECTOR, "[id^=cell-]"):
        if text in cell.text:
            return cell.get_attribute("id")
    return None


def screenshot(cell, name):
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", cell)
        driver.save_screenshot(os.path.join(args.screenshots, name))


def edit(cell_text, replacements, shows, label):
    """Edits the cell holding `cell_text` (each old → new), clicks Run, waits until its output
    shows `shows`; prints click → page and run end → page."""
    cell = wait_for(f"the cell with {cell_text!r}", lambda: cell_with(cell_text), 30)
    driver.find_element(By.CSS_SELECTOR, f"#{cell} .fvbook-edit").click()
    area = driver.find_element(By.CSS_SELECTOR, f"#{cell} textarea.fvbook-editor")
    code = area.get_attribute("value")
    for old, new in replacements:
        if old not in code:
            sys.exit(f"{old!r} is not in {cell}")
        code = code.replace(old, new)
    driver.execute_script("arguments[0].value = arguments[1]", area, code)
    screenshot(cell, "editing.png")
    runs_before = len(finished)
    clicked = time.time()
    driver.find_element(By.CSS_SELECTOR, f"#{cell} .fvbook-run").click()
    wait_for(f"{cell} shows {shows!r}",
             lambda: shows in driver.find_element(By.CSS_SELECTOR, f"#{cell} pre.output").text, 600)
    shown = time.time()
    screenshot(cell, "edited.png")
    ended = finished[runs_before][0] if len(finished) > runs_before else float("nan")
    print(f"{label}: click → new output in the page {shown - clicked:.2f} s "
          f"(chapter run {ended - clicked:.2f} s, run end → page {shown - ended:.2f} s)", flush=True)
    return shown - ended


try:
    driver.get(f"{BASE}/{PAGE}.html")
    wait_for("the Edit buttons", lambda: driver.find_elements(By.CSS_SELECTOR, ".fvbook-edit"), 30)
    lags = [
        edit('"                     naive   regularized"', [("naive   regularized", "naive   regularized*")],
             "naive   regularized*", "edit a print (every render a memo hit)"),
        edit("let regularized = try visualizer.visualizeFeature",
             [("steps: scaled(512, quick: 32)", "steps: scaled(384, quick: 32)"), ("regularized*", "regularized 384")],
             "naive   regularized 384", "edit a render's steps (one render runs, the rest are memo hits)"),
    ]
    # Idle: the page open on its event stream, nothing changing.
    time.sleep(2)
    start_cpu, start = cpu_seconds(args.server_pid), time.time()
    time.sleep(args.idle_seconds)
    idle = (cpu_seconds(args.server_pid) - start_cpu) / (time.time() - start)
    print(f"idle server with the page open: {idle * 100:.2f} % of one core over {args.idle_seconds:.0f} s, "
          f"RSS {rss_mb(args.server_pid):.0f} MB", flush=True)
    print(f"worst run end → page: {max(lags):.2f} s")
finally:
    driver.quit()
