"""Take the screenshot of the operator page in the docs: ``python tests/browser/screenshot.py docs/operator_page.png``.

Serves the demo cell at 2x real time with the page, starts three units in headless Chromium at
1366x768 and takes the picture (what the 1366x768 screen shows) while the second unit runs, after
its first tightening: the banner says RUNNING, the page shows the first unit's result and the
last curves, the new one among them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _page import Page, open_browser, serve_with_page  # noqa: E402

from cellctl.service.access import read_token  # noqa: E402

UNIT_TIMEOUT = 240.0


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        served, url = serve_with_page(Path(folder), "--pace", "2")
        driver = open_browser()
        try:
            page = Page(driver, url)
            page.fit_viewport()
            page.wait_state("idle")
            page.enter_token(read_token(served.token_file))
            page.wait(lambda: page.text("access-state") == "OPERATOR", "the operator's access")
            page.find("units").clear()
            page.find("units").send_keys("3")
            page.click("start")
            page.wait(lambda: page.text("units-body").count(" s") >= 1, "the first unit's end", UNIT_TIMEOUT)
            page.wait(lambda: any(c["key"] == "PH-000002/h1/0" and c["points"] for c in page.curves()),
                      "the second unit's first curve", UNIT_TIMEOUT)
            page.wait_state("running")
            driver.save_screenshot(str(out))
            print(f"wrote {out}")
        finally:
            driver.quit()
            served.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/operator_page.png"))
