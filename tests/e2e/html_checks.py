"""What tests/e2e/test_html.py looks at in a page: the static checks of its HTML tree (markup,
CSP, accessibility basics, contrast from the CSS), and the browser's side (a local HTTP server
that records requests, headless Chromium, the scripts run in the page to look for injected
elements, rendered contrast and overflow). Assertions raise AssertionError."""
import base64
import hashlib
import http.server
import json
import os
import re
import shutil
import threading
import time
import urllib.parse

import html5lib
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service

# ---- static checks -----------------------------------------------------------------------------

def parse_strict(data):
    """An HTML5 parser in strict mode raises on the first parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(data)


def local(tag):
    return tag.split("}")[-1] if isinstance(tag, str) else ""


def text_of(el):
    return "".join(el.itertext())


def assert_no_foreign_markup(tree, scripts):
    """No element, attribute or URL that the grader did not write."""
    allowed = {"html", "head", "meta", "title", "link", "style", "body", "header", "main", "footer",
               "section", "h1", "h2", "h3", "p", "span", "strong", "code", "pre", "dl", "dt", "dd",
               "ol", "ul", "li", "div", "table", "caption", "thead", "tbody", "tr", "th", "td", "a",
               "details", "summary", "figure", "figcaption", "svg", "rect", "line", "text", "title",
               "script"}
    count = {"script": 0, "style": 0}
    for el in tree.iter():
        tag = local(el.tag)
        if not tag:
            continue
        assert tag in allowed, f"unexpected element <{tag}>"
        count[tag] = count.get(tag, 0) + 1
        for attr, value in el.attrib.items():
            assert not local(attr).lower().startswith("on"), f"<{tag} {attr}=...>"
            if local(attr) in ("href", "src", "action", "xlink:href"):
                scheme = urllib.parse.urlsplit(value).scheme
                assert scheme in ("", "data"), f"<{tag} {attr}={value!r}>"
                assert scheme == "" or value == "data:,", value
    assert count["script"] == scripts, f"{count['script']} scripts, expected {scripts}"
    assert count["style"] == 1, f"{count['style']} style elements"


def csp_of(tree):
    for meta in tree.iter("meta"):
        if meta.get("http-equiv", "").lower() == "content-security-policy":
            return dict(d.strip().split(" ", 1) for d in meta.get("content").split(";"))
    raise AssertionError("no Content-Security-Policy meta")


def sha(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def assert_csp(tree):
    csp = csp_of(tree)
    assert csp.get("default-src") == "'none'", csp
    style = tree.find(".//style")
    assert csp.get("style-src") == sha(style.text), ("style hash", csp.get("style-src"))
    script = tree.find(".//script")
    want = sha(script.text) if script is not None else "'none'"
    assert csp.get("script-src") == want, ("script hash", csp.get("script-src"), want)
    assert "unsafe" not in " ".join(csp.values()), csp


def assert_accessible(tree):
    html = tree if local(tree.tag) == "html" else tree.find(".//html")
    assert html.get("lang"), "no lang on <html>"
    assert text_of(tree.find(".//head/title")).strip(), "no title"
    levels = [int(local(e.tag)[1]) for e in tree.iter() if re.fullmatch(r"h[1-6]", local(e.tag))]
    assert levels.count(1) == 1, f"{levels.count(1)} h1"
    for a, b in zip(levels, levels[1:]):
        assert b <= a + 1, f"heading level skips from h{a} to h{b}"
    for table in tree.iter("table"):
        assert table.find("caption") is not None and text_of(table.find("caption")).strip(), "table without caption"
        ths = list(table.iter("th"))
        assert ths, "table without header cells"
        for th in ths:
            assert th.get("scope") in ("col", "row"), f"th without scope: {text_of(th)!r}"
    for svg in tree.iter("svg"):
        assert svg.get("role") == "img", "svg without role=img"
        label = svg.get("aria-labelledby")
        assert label and any(e.get("id") == label for e in svg.iter("title")), "svg without its title"
    for el in tree.iter():
        if "status" in (el.get("class") or "").split():
            assert re.search(r"[a-z]{2,}", text_of(el)), f"a status without a word: {text_of(el)!r}"
    for a in tree.iter("a"):
        assert text_of(a).strip(), "a link without text"


def css_vars(tree):
    style = tree.find(".//style").text
    root = re.search(r":root\{([^}]*)\}", style).group(1)
    found = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{3,6})\b", root))
    # #fff is #ffffff
    return {k: v if len(v) == 7 else "#" + "".join(c * 2 for c in v[1:]) for k, v in found.items()}


def luminance(hexcolor):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hexcolor[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def assert_css_contrast(tree):
    v = css_vars(tree)
    pairs = [("fg", "bg"), ("fg", "panel"), ("muted", "bg"), ("muted", "panel"), ("link", "bg")]
    pairs += [(s, s + "-bg") for s in ("pass", "fail", "skip", "err", "cc")]
    pairs += [(s, "bg") for s in ("pass", "fail", "skip", "err", "cc")]
    for fg, bg in pairs:
        ratio = contrast(v[fg], v[bg])
        assert ratio >= 4.5, f"--{fg} on --{bg}: {ratio:.2f}:1"
    assert contrast(v["bar"], v["bg"]) >= 3, "histogram bars on the background"


# ---- the browser -------------------------------------------------------------------------------

class Site:
    """A local HTTP server over one folder that records every path asked for."""

    def __init__(self, folder):
        self.requests = []
        site = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=folder, **kw)

            def do_GET(self):
                site.requests.append(urllib.parse.unquote(self.path))
                super().do_GET()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def start_browser():
    o = webdriver.ChromeOptions()
    o.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for a in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
              "--no-first-run", "--disable-extensions", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-default-apps"):
        o.add_argument(a)
    if os.geteuid() == 0:
        o.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    d = webdriver.Chrome(service=service, options=o)
    d.execute_cdp_cmd("Network.enable", {})
    return d


def visit(d, site, url):
    """Loads url and returns (console messages, requests Chrome made, paths the server saw)."""
    d.get_log("performance")
    d.get_log("browser")
    site.requests.clear()
    d.get(url)
    # Proving that nothing more is requested needs a window to watch: late requests (an icon,
    # an image's retry) come within a few hundred ms of the load event.
    time.sleep(0.5)
    perf = [json.loads(e["message"])["message"] for e in d.get_log("performance")]
    asked = [m["params"]["request"]["url"] for m in perf if m["method"] == "Network.requestWillBeSent"]
    return d.get_log("browser"), asked, list(site.requests)


def assert_quiet(console, asked, served, url, path):
    assert not console, f"console: {console}"
    assert asked == [url], f"requests: {asked}"
    assert served == [path], f"served: {served}"


def assert_no_alert(d):
    try:
        text = d.switch_to.alert.text
    except NoAlertPresentException:
        return
    raise AssertionError(f"an alert is open: {text!r}")


INJECTED_JS = """
var bad = [];
document.querySelectorAll('*').forEach(function (el) {
  for (var i = 0; i < el.attributes.length; i++)
    if (/^on/i.test(el.attributes[i].name)) bad.push(el.tagName + ' ' + el.attributes[i].name);
  if (/^(img|iframe|object|embed|frame|audio|video|form|input|base)$/i.test(el.tagName)) bad.push(el.tagName);
});
document.querySelectorAll('a').forEach(function (a) {
  if (a.protocol !== location.protocol) bad.push('a ' + a.href);
});
return {bad: bad, scripts: document.scripts.length, styles: document.querySelectorAll('style').length,
        svgs: document.querySelectorAll('svg').length, dialogs: window.__dialogs || []};
"""

CONTRAST_JS = """
function parse(c) {
  var m = /rgba?\\(([^)]+)\\)/.exec(c || '');
  if (!m) return null;
  var p = m[1].split(',').map(parseFloat);
  return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
}
function lum(c) {
  var w = [0.2126, 0.7152, 0.0722], s = 0;
  [c.r, c.g, c.b].forEach(function (v, i) {
    v /= 255; s += w[i] * (v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
  });
  return s;
}
function background(el) {
  for (; el; el = el.parentElement) {
    var c = parse(getComputedStyle(el).backgroundColor);
    if (c && c.a > 0) return c;
  }
  return {r: 255, g: 255, b: 255, a: 1};
}
var bad = [], n = 0, seen = new Set();
var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walk.nextNode()) {
  var t = walk.currentNode, el = t.parentElement;
  if (!t.data.trim() || seen.has(el) || !el.getClientRects().length) continue;
  seen.add(el);
  var svg = el instanceof SVGElement, st = getComputedStyle(el);
  if (svg && el.tagName.toLowerCase() === 'title') continue;
  var fg = parse(svg ? st.fill : st.color), bg = background(svg ? el.closest('svg') : el);
  var a = lum(fg), b = lum(bg), r = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  n++;
  if (r < 4.5) bad.push(el.tagName + '.' + el.getAttribute('class') + ' ' + r.toFixed(2) + ': ' + t.data.slice(0, 40));
}
return [n, bad];
"""

NO_OVERFLOW_JS = """
var e = document.documentElement, bad = [];
if (e.scrollWidth > e.clientWidth + 1) bad.push('page ' + e.scrollWidth + ' > ' + e.clientWidth);
document.querySelectorAll('pre, p, dd, figcaption, h1, h2, li').forEach(function (el) {
  if (el.scrollWidth > el.clientWidth + 1) bad.push(el.tagName + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
});
return bad;
"""


def screenshot(d, path, width):
    height = d.execute_script("return document.documentElement.scrollHeight")
    d.set_window_size(width, min(height + 140, 12000))
    d.save_screenshot(path)
    d.set_window_size(1280, 900)


def phone(d, fn):
    """Runs fn with the page laid out as on a phone 390 CSS pixels wide."""
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        return fn()
    finally:
        d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def phone_screenshot(d, stem):
    """stem.png: the first screen of a phone; stem-full.png: the whole page at that width."""
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    d.save_screenshot(stem + ".png")
    height = d.execute_script("return document.documentElement.scrollHeight")
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 390, "height": min(height, 12000), "deviceScaleFactor": 1, "mobile": True})
    d.save_screenshot(stem + "-full.png")
