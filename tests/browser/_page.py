"""The operator page in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``,
driven by Selenium with the system chromedriver: Selenium Manager never looks for one on the
network), against a ``cellctl serve --http 0`` of the demo cell. Every wait is bounded."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "service"))
sys.path.insert(0, str(Path(__file__).parents[1] / "cli"))

from _serve import Served, start_serve, wait_for  # noqa: E402

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_NAMES = ("chromium", "chromium-browser")
INSTALL = "apt-get install -y chromium chromium-driver"
WINDOW = (1366, 768)
PAGE_TIMEOUT = 30.0  # s for the page to show a change (the cell and the browser share 2 busy cores)


def chromium() -> Path:
    """The system's Chromium. Raises RuntimeError (the browser tests fail, they do not skip)."""
    found = next((shutil.which(name) for name in CHROMIUM_NAMES if shutil.which(name)), None)
    if found is None or not CHROMEDRIVER.exists():
        raise RuntimeError(f"the browser tests need Debian's chromium and chromium-driver (chromium: {found or 'missing'}, "
                           f"{CHROMEDRIVER}: {'present' if CHROMEDRIVER.exists() else 'missing'}); install them: {INSTALL} "
                           "(.ci/run does)")
    return Path(found)


def open_browser():
    """A headless Chromium of :data:`WINDOW` size, driven through the system chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager (if ever asked) stays off the network
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium())
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={WINDOW[0]},{WINDOW[1]}", "--hide-scrollbars", "--force-device-scale-factor=1",
                     "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the page's console, for script_errors()
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    driver.set_script_timeout(PAGE_TIMEOUT)
    return driver


def script_errors(driver) -> list[str]:
    """Errors the page's script raised since the last call (not failed connections: a test that
    stops serve makes the page's reconnection attempts fail, as they should)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and entry.get("source") != "network"]


def serve_with_page(tmp_path: Path, *extra: str) -> tuple[Served, str]:
    """The demo cell served with ``--http 0``; (served, the page's URL from the ready line)."""
    served = start_serve(tmp_path, "--http", "0", *extra)
    match = re.search(r"operator page (http://\S+)", served.log.read_text())
    if match is None:
        served.process.kill()
        served.process.wait(10)
        raise AssertionError(f"no page URL in serve's ready line:\n{served.log.read_text()}")
    return served, match.group(1)


class Page:
    """The operator page in a browser: what a person sees and clicks."""

    def __init__(self, driver, url: str) -> None:
        self.driver, self.url = driver, url
        driver.get(url)

    def fit_viewport(self) -> None:
        """Make the page's viewport (not the window around it) :data:`WINDOW`: what a 1366x768 screen shows."""
        inner = self.driver.execute_script("return [window.innerWidth, window.innerHeight];")
        outer = self.driver.get_window_size()
        self.driver.set_window_size(outer["width"] + WINDOW[0] - inner[0], outer["height"] + WINDOW[1] - inner[1])
        self.wait(lambda: self.driver.execute_script("return [window.innerWidth, window.innerHeight];") == list(WINDOW),
                  f"a {WINDOW[0]}x{WINDOW[1]} viewport", 5)

    def find(self, element_id: str):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.ID, element_id)

    def text(self, element_id: str) -> str:
        return self.find(element_id).text

    def state(self) -> str:
        """The banner's state (``idle``, ``running`` … ``estopped``; ``unknown`` with no link)."""
        return self.find("banner").get_attribute("data-state")

    def wait(self, predicate: Callable[[], object], what: str, timeout: float = PAGE_TIMEOUT) -> object:
        return wait_for(predicate, timeout, f"the page to show {what}", period=0.1)

    def wait_state(self, *states: str, timeout: float = PAGE_TIMEOUT) -> str:
        return self.wait(lambda: self.state() in states and self.state(), f"the cell {' or '.join(states)} "
                         f"(it shows {self.state()!r})", timeout)  # type: ignore[return-value]

    def enabled(self, element_id: str) -> bool:
        return self.find(element_id).is_enabled()

    def click(self, element_id: str, timeout: float = PAGE_TIMEOUT) -> None:
        """Click a button once it is enabled (the page enables it when the cell's state allows)."""
        self.wait(lambda: self.enabled(element_id), f"#{element_id} enabled", timeout)
        self.find(element_id).click()

    def enter_token(self, token: str) -> None:
        """Type the token into the page's dialog, as an operator does."""
        self.click("token-button")
        self.find("token-input").send_keys(token)
        self.find("token-ok").click()

    def notice(self) -> str:
        return self.text("notice")

    def send(self, command: str, **extra: object) -> dict:
        """Send a command the way the page's buttons do (with its stored token); the server's reply."""
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1]; send(arguments[0], arguments[1]).then(done);",
            command, extra)

    def curves(self) -> list[dict]:
        """Each tightening card as drawn, read in one script (the page may redraw between two calls):
        key, status, text, points of the curve, the window's size and the chart's height in pixels."""
        return self.driver.execute_script("""
            return [...document.querySelectorAll('#curves .curve-card')].map((card) => {
              const trace = card.querySelector('polyline.trace'), window = card.querySelector('rect.window');
              return {key: card.dataset.key, status: card.dataset.status, text: card.innerText,
                      points: trace ? trace.getAttribute('points').trim().split(/\\s+/).length : 0,
                      window: window ? [+window.getAttribute('width'), +window.getAttribute('height')] : [0, 0],
                      height: card.querySelector('svg').getBoundingClientRect().height};
            });""")
