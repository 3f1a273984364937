#!/usr/bin/env python3
"""The HTML pages in a real browser (issue 17), run by tests/e2e/test_html.sh.

A small class is graded with `sockgrade batch`: a correct student, two with the fixtures' typical
bugs, a student whose program and compiler output try to be HTML (fixtures/html/hostile_output),
and a student whose folder name is markup. Then:

- while the batch runs, index.html is read again and again: every version read is a whole page;
- every page passes an HTML5 parser in strict mode (html5lib) and a static look at its tree:
  no element, attribute or URL from a submission, the CSP's hashes match the inline style and
  script, and the accessibility basics below;
- headless Chromium (Selenium) opens the dashboard and the student pages over a local HTTP
  server: no console message, no request but the page itself (the server's log and Chrome's
  network log), no alert and no element from the submission, also with the CSP switched off
  (the escaping alone must hold); the histograms add up to the gradebook's students and show its
  mean and median; the failure table agrees with the JSON reports; sorting by total orders the
  table; a student's link opens that student's page; without script the table is still there;
  on a phone's width and in print nothing scrolls sideways;
- `sockgrade merge` writes the same pages into another folder; `check --format html` writes one.

Accessibility basics (docs/report-format.md): lang on <html>, a title, one h1 and no skipped
heading level; every table has a caption and every th a scope; every svg is role="img" with a
title; every status says its word, not only its colour; every link and button has text; the
contrast of each text colour on its background is at least 4.5:1 (WCAG 2 AA), computed from the
CSS custom properties and again from what Chromium renders, and 3:1 for the histogram's bars.

Screenshots and a PDF go to the folder given with --shots. Prints one line per assertion and
ends with "html: N passed, N failed"; exit status 1 if any failed.
"""
import argparse
import base64
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from tap import Tap
from html_checks import (CONTRAST_JS, INJECTED_JS, NO_OVERFLOW_JS, Site, assert_accessible,
                         assert_csp, assert_css_contrast, assert_no_alert, assert_no_foreign_markup,
                         assert_quiet, parse_strict, phone, phone_screenshot, screenshot,
                         start_browser, visit)

HOSTILE_NAME = 'x"><img src=x onerror=alert(7)>'
PROGRAMS = "mydaytime,tcp_echocli"
TAP = Tap("html")


def check(name):
    """Runs the decorated test now; an AssertionError (or any exception) is a failure."""
    def run(fn):
        try:
            fn()
            TAP.result(name)
        except Exception as e:  # noqa: BLE001 - every failure is reported, the test goes on
            TAP.result(name, [f"{type(e).__name__}: {str(e)[:1500]}"])
        return fn
    return run


# ---- the class ---------------------------------------------------------------------------------

def make_class(root, tmp):
    sub = os.path.join(root, "fixtures", "submissions")
    plan = {
        "ann": [("mydaytime", "textbook_correct"), ("tcp_echocli", "textbook_correct")],
        "bob": [("mydaytime", "local_time"), ("tcp_echocli", "no_htons")],
        "cid": [("mydaytime", "no_htons"), ("tcp_echocli", "compile_error")],
        HOSTILE_NAME: [("mydaytime", "connect_unchecked"), ("tcp_echocli", "sizeof_buf")],
    }
    cls = os.path.join(tmp, "class")
    for student, parts in plan.items():
        os.makedirs(os.path.join(cls, student))
        for prog, fixture in parts:
            shutil.copy(os.path.join(sub, prog, fixture, prog + ".c"), os.path.join(cls, student))
    shutil.copytree(os.path.join(root, "fixtures", "html", "hostile_output"), os.path.join(cls, "dan"))
    return cls


def run_batch_watching(sockgrade, cls, out, seed):
    """Runs the batch and reads index.html as fast as it can meanwhile: every version seen."""
    cmd = [sockgrade, "batch", "-j", "2", "--seed", str(seed), "--programs", PROGRAMS, "--out", out]
    cmd += sorted(os.path.join(cls, s) for s in os.listdir(cls))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen, index = {}, os.path.join(out, "index.html")
    while proc.poll() is None:
        try:
            with open(index, "rb") as f:
                data = f.read()
            seen[hashlib.sha256(data).hexdigest()] = data
        except FileNotFoundError:
            pass
        time.sleep(0.005)
    stdout, stderr = proc.communicate()
    return proc.returncode, stderr.decode("utf-8", "replace"), list(seen.values())


def read_gradebook(out):
    with open(os.path.join(out, "gradebook.csv"), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_reports(out):
    reports = {}
    for name in os.listdir(out):
        if name.endswith(".json") and not name.startswith("."):
            with open(os.path.join(out, name), encoding="utf-8") as f:
                reports[name[:-5]] = json.load(f)
    return reports


def static_checks(label, path, scripts):
    with open(path, "rb") as f:
        data = f.read()
    tree = None

    @check(f"{label}: an HTML5 parser in strict mode reads it without an error")
    def _():
        nonlocal tree
        tree = parse_strict(data)

    if tree is None:
        return

    @check(f"{label}: no element, attribute or URL from a submission; {scripts} script(s)")
    def _():
        assert_no_foreign_markup(tree, scripts)

    @check(f"{label}: the CSP allows exactly its own style and script, by hash")
    def _():
        assert_csp(tree)

    @check(f"{label}: accessibility basics (lang, title, headings, table headers, svg, status words)")
    def _():
        assert_accessible(tree)

    @check(f"{label}: contrast of every colour pair in its CSS >= 4.5:1 (bars 3:1)")
    def _():
        assert_css_contrast(tree)


# ---- the tests ---------------------------------------------------------------------------------

def test_batch(sockgrade, cls, grades, seed):
    rc, stderr, versions = run_batch_watching(sockgrade, cls, grades, seed)

    @check("batch grades the class (exit status 0)")
    def _():
        assert rc == 0, stderr

    @check(f"index.html read {len(versions)} times during the batch: each a whole page, rewritten as students finished")
    def _():
        counts = set()
        for v in versions:
            assert v.endswith(b"</html>\n"), f"a page cut short: ...{v[-80:]!r}"
            parse_strict(v)
            counts.add(re.search(rb"<dt>students</dt><dd>(\d+)</dd>", v).group(1))
        assert len(counts) >= 2, f"only these student counts were seen: {counts}"

    @check("every <student>.json has its <student>.html beside it")
    def _():
        reports = read_reports(grades)
        assert len(reports) == 5, sorted(reports)
        for s in reports:
            assert os.path.exists(os.path.join(grades, s + ".html")), s


def test_static(site_dir):
    grades = os.path.join(site_dir, "grades")
    static_checks("index.html", os.path.join(grades, "index.html"), 1)
    for name in sorted(os.listdir(grades)):
        if name.endswith(".html") and name != "index.html":
            static_checks(name, os.path.join(grades, name), 0)
    static_checks("check --format html", os.path.join(site_dir, "check.html"), 0)


def test_dashboard_load(d, site, rows):
    url = site.base + "grades/index.html"
    console, asked, served = visit(d, site, url)

    @check("dashboard: no console message, no request but the page itself")
    def _():
        assert_quiet(console, asked, served, url, "/grades/index.html")

    @check("dashboard: no alert, no element or link from a submission, only its own script")
    def _():
        assert_no_alert(d)
        got = d.execute_script(INJECTED_JS)
        assert not got["bad"], got["bad"]
        assert got["scripts"] == 1 and got["styles"] == 1, got
        assert got["svgs"] == 3, got  # the total and the two programs

    @check("dashboard: the hostile student's name is shown as text")
    def _():
        names = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#students tbody th a")]
        assert HOSTILE_NAME in names, names
        assert len(names) == len(rows), (names, len(rows))


def expected_bins(los, values):
    counts = [0] * len(los)
    for v in values:
        i = max(k for k, lo in enumerate(los) if lo <= v + 1e-9)
        counts[i] += 1
    return counts


def test_histograms(d, rows):
    graded = [r for r in rows if r["status"] != "error"]
    programs = PROGRAMS.split(",")
    series = {"hist-total": [float(r["total"]) for r in graded]}
    for k, p in enumerate(sorted(programs)):
        series[f"hist-p{k + 1}"] = [float(r[p] or 0) for r in graded]
    for fig_id, values in series.items():
        @check(f"dashboard {fig_id}: the bars add up to the {len(values)} students, in the right bins; N, mean, median as the gradebook")
        def _():
            fig = d.find_element(By.ID, fig_id)
            bars = fig.find_elements(By.CSS_SELECTOR, "rect.bar")
            counts = [int(b.get_attribute("data-count")) for b in bars]
            los = [float(b.get_attribute("data-lo")) for b in bars]
            assert sum(counts) == len(values), (counts, len(values))
            assert counts == expected_bins(los, values), (counts, expected_bins(los, values), values)
            n = int(fig.find_element(By.CLASS_NAME, "stat-n").text)
            mean = float(fig.find_element(By.CLASS_NAME, "stat-mean").text)
            median = float(fig.find_element(By.CLASS_NAME, "stat-median").text)
            s = sorted(values)
            want_median = (s[len(s) // 2] + s[(len(s) - 1) // 2]) / 2
            assert n == len(values), (n, len(values))
            assert abs(mean - sum(values) / len(values)) < 1e-3 * max(1, mean), (mean, values)
            assert abs(median - want_median) < 1e-3 * max(1, median), (median, want_median)


def test_checks_table(d, reports):
    @check("dashboard: the failure table agrees with the JSON reports and is ordered by failure rate")
    def _():
        want = {}
        for r in reports.values():
            if r["status"] == "error":
                continue
            for p in r["programs"]:
                for c in p["checks"]:
                    w = want.setdefault((p["name"], c["id"]), [0, 0, 0])
                    w[0] += 1
                    w[1] += c["status"] == "failed"
                    w[2] += c["status"] == "skipped"
        got, rates = {}, []
        for tr in d.find_elements(By.CSS_SELECTOR, "#checks > tbody > tr:not(.more)"):
            cells = tr.find_elements(By.XPATH, "./*")
            m = re.search(r"\((\d+) of (\d+)\)", cells[4].text)
            got[(cells[0].text, cells[1].text)] = [int(m.group(2)), int(m.group(1)), int(cells[5].text.split()[0])]
            rates.append(float(cells[4].get_attribute("data-v")))
        assert got == want, {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)}
        assert rates == sorted(rates, reverse=True), rates

    @check("dashboard: a check's row opens to the failing students' actual values and hint, as text")
    def _():
        rows = d.find_elements(By.CSS_SELECTOR, "#checks tr.more details")
        target = next(det for det in rows if "alert(1)" in det.get_attribute("textContent"))
        target.find_element(By.TAG_NAME, "summary").click()
        assert target.get_attribute("open") is not None
        table = target.find_element(By.CSS_SELECTOR, "table.values")
        assert table.is_displayed()
        assert "<script>alert(1)</script>" in table.text, table.text[:300]
        assert_no_alert(d)


def test_sorting(d):
    def column(i):
        return [float(tr.find_elements(By.XPATH, "./*")[i].get_attribute("data-v"))
                for tr in d.find_elements(By.CSS_SELECTOR, "#students tbody tr")]

    @check("dashboard: pressing 'total' sorts the students by total, again the other way")
    def _():
        th = d.find_elements(By.CSS_SELECTOR, "#students thead th")[1]
        th.find_element(By.TAG_NAME, "button").click()
        assert th.get_attribute("aria-sort") == "ascending"
        assert column(1) == sorted(column(1)), column(1)
        th.find_element(By.TAG_NAME, "button").click()
        assert th.get_attribute("aria-sort") == "descending"
        assert column(1) == sorted(column(1), reverse=True), column(1)
        assert len(set(column(1))) > 1, "the class has one total only: sorting proves nothing"


def test_student_link(d, site):
    @check("dashboard: the hostile student's link opens that student's page, and nothing else")
    def _():
        link = next(a for a in d.find_elements(By.CSS_SELECTOR, "#students tbody th a") if a.text == HOSTILE_NAME)
        d.get_log("browser")
        site.requests.clear()
        link.click()
        path = "/grades/" + HOSTILE_NAME + ".html"
        assert urllib.parse.unquote(urllib.parse.urlsplit(d.current_url).path) == path, d.current_url
        assert site.requests == [path], site.requests
        assert HOSTILE_NAME in d.find_element(By.TAG_NAME, "h1").text
        assert not d.get_log("browser")
        assert d.execute_script(INJECTED_JS)["bad"] == []


def test_student_page(d, site, shots):
    url = site.base + "grades/dan.html"
    console, asked, served = visit(d, site, url)

    @check("student page: no console message, no request but the page itself")
    def _():
        assert_quiet(console, asked, served, url, "/grades/dan.html")

    @check("student page: no alert, no script, no element from the submission")
    def _():
        assert_no_alert(d)
        got = d.execute_script(INJECTED_JS)
        assert not got["bad"] and got["scripts"] == 0 and got["svgs"] == 0, got

    @check("student page: the program's and the compiler's markup, controls and bad UTF-8 show as text")
    def _():
        body = d.find_element(By.TAG_NAME, "body").text
        for s in ("</pre><script>alert(1)</script>", "<img src=x onerror=alert(6)>", "nul:\\0:"):
            assert s in body, s
        marks = {e.text for e in d.find_elements(By.CLASS_NAME, "cc")}
        for m in ("\\x1b", "\\u202e", "\\u009b", "\ufffd"):
            assert m in marks, (m, sorted(marks))

    @check("student page: statuses in words (passed/failed/skipped), replay command with the seed")
    def _():
        words = {e.text.split()[-1] for e in d.find_elements(By.CSS_SELECTOR, ".check .status")}
        assert {"failed", "skipped"} <= words, words
        assert re.search(r"sockgrade check --seed \d+ \S", d.find_element(By.CLASS_NAME, "meta").text)

    screenshot(d, os.path.join(shots, "student-desktop.png"), 1280)


def test_csp_off(d, site):
    """The escaping alone must hold: the same pages with the CSP switched off, and every
    dialog recorded instead of shown."""
    d.execute_cdp_cmd("Page.setBypassCSP", {"enabled": True})
    script = d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source":
        "window.__dialogs = []; ['alert', 'confirm', 'prompt'].forEach(function (f) {"
        " window[f] = function (m) { window.__dialogs.push(f + ':' + m); }; });"})
    try:
        for page in ("grades/dan.html", "grades/index.html", "check.html"):
            url = site.base + page
            console, asked, served = visit(d, site, url)

            @check(f"CSP off, {page}: still nothing runs, loads or appears")
            def _():
                got = d.execute_script(INJECTED_JS)
                assert not got["dialogs"] and not got["bad"], got
                assert asked == [url] and served == ["/" + page], (asked, served)
                assert not console, console
    finally:
        d.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})
        d.execute_cdp_cmd("Page.setBypassCSP", {"enabled": False})


def test_no_script(d, site, rows):
    d.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        visit(d, site, site.base + "grades/index.html")

        @check("scripts off: the student table is all there, by name, with no dead controls")
        def _():
            names = [tr.find_element(By.TAG_NAME, "th").text
                     for tr in d.find_elements(By.CSS_SELECTOR, "#students tbody tr")]
            assert names == [r["student"] for r in rows], names
            assert not d.find_elements(By.CSS_SELECTOR, "#students th button")
            assert not d.find_element(By.CLASS_NAME, "sort-hint").is_displayed()
    finally:
        d.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_layout(d, site, shots):
    for page, name in (("grades/dan.html", "student"), ("grades/index.html", "dashboard")):
        visit(d, site, site.base + page)

        @check(f"{name}: rendered contrast of every text on its background >= 4.5:1")
        def _():
            n, bad = d.execute_script(CONTRAST_JS)
            assert n > 20 and not bad, (n, bad[:10])

        @check(f"{name}: on a phone (390 px) nothing scrolls sideways; long lines wrap")
        def _():
            bad = phone(d, lambda: d.execute_script(NO_OVERFLOW_JS))
            assert not bad, bad
            phone_screenshot(d, os.path.join(shots, f"{name}-phone"))
            d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

        @check(f"{name}: in print nothing overflows the page's width")
        def _():
            d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
            try:
                d.set_window_size(800, 1000)
                assert not d.execute_script(NO_OVERFLOW_JS)
                hidden = d.execute_script("return Array.from(document.querySelectorAll('table.values'))"
                                          ".filter(function (t) { return !t.checkVisibility(); }).length")
                assert hidden == 0, f"{hidden} failure tables stay closed in print"
            finally:
                d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
                d.set_window_size(1280, 900)
            with open(os.path.join(shots, f"{name}.pdf"), "wb") as f:
                f.write(base64.b64decode(d.print_page()))


def test_merge(sockgrade, site_dir):
    grades, merged = os.path.join(site_dir, "grades"), os.path.join(site_dir, "merged")
    r = subprocess.run([sockgrade, "merge", "--programs", PROGRAMS, "--out", merged, grades],
                       capture_output=True, text=True)

    @check("merge writes index.html and every student's page; each page the same as batch's")
    def _():
        assert r.returncode == 0, r.stderr
        for name in os.listdir(grades):
            if name.endswith(".json"):
                page = name[:-5] + ".html"
                with open(os.path.join(grades, page), "rb") as a, open(os.path.join(merged, page), "rb") as b:
                    assert a.read() == b.read(), page

        def strip(path):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            text = re.sub(r"<dt>written</dt><dd>[^<]*</dd>", "", text)
            return re.sub(r"class results: [^<]*", "", re.sub(r"Class results: <code>[^<]*", "", text))
        assert strip(os.path.join(grades, "index.html")) == strip(os.path.join(merged, "index.html"))


def raises(fn):
    try:
        fn()
    except AssertionError:
        return True
    return False


def test_detectors(d, site, site_dir):
    """The checks above can fail: pages with one flaw each planted are caught."""
    with open(os.path.join(site_dir, "grades", "dan.html"), encoding="utf-8") as f:
        page = f.read()
    planted = {
        "markup": re.sub(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>", "", page)
        .replace("</main>", "<img src=x onerror=alert(9)></main>"),
        "style": page.replace("</style>", " </style>"),
        "colour": page.replace("--pass:#116329", "--pass:#5fbf6f"),
    }
    for name, text in planted.items():
        with open(os.path.join(site_dir, f"planted-{name}.html"), "w", encoding="utf-8") as f:
            f.write(text)

    @check("the checks bite: planted markup is refused by the static check and seen by the browser")
    def _():
        tree = parse_strict(planted["markup"].encode())
        assert raises(lambda: assert_no_foreign_markup(tree, 0))
        url = site.base + "planted-markup.html"
        visit(d, site, url)
        try:
            d.switch_to.alert.accept()  # the planted onerror runs: the page has no CSP now
        except NoAlertPresentException:
            raise AssertionError("the planted alert did not open")
        assert d.execute_script(INJECTED_JS)["bad"], "the planted <img> was not found"
        assert "/x" in site.requests, site.requests

    @check("the checks bite: a style that does not match its hash is a console error and a CSP failure")
    def _():
        assert raises(lambda: assert_csp(parse_strict(planted["style"].encode())))
        url = site.base + "planted-style.html"
        console, asked, served = visit(d, site, url)
        assert any("Content Security Policy" in e["message"] for e in console), console
        assert raises(lambda: assert_quiet(console, asked, served, url, "/planted-style.html"))

    @check("the checks bite: a pale status colour fails the contrast checks")
    def _():
        assert raises(lambda: assert_css_contrast(parse_strict(planted["colour"].encode())))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sockgrade")
    ap.add_argument("--shots", required=True, help="folder for screenshots and PDFs")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sockgrade = os.path.abspath(args.sockgrade)
    seed = int(os.environ.get("SEED") or time.time() % 100000)
    TAP.note(f"html: seed {seed}")
    os.makedirs(args.shots, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="sockgrade-html.")
    site_dir = os.path.join(tmp, "site")
    os.makedirs(site_dir)
    d = site = None
    try:
        cls = make_class(root, tmp)
        grades = os.path.join(site_dir, "grades")
        test_batch(sockgrade, cls, grades, seed)
        subprocess.run([sockgrade, "check", "--format", "html", "--seed", str(seed), "--programs", PROGRAMS,
                        "-o", os.path.join(site_dir, "check.html"), os.path.join(cls, "dan")],
                       capture_output=True, check=False)
        rows, reports = read_gradebook(grades), read_reports(grades)
        test_static(site_dir)
        test_merge(sockgrade, site_dir)
        site = Site(site_dir)
        d = start_browser()
        test_dashboard_load(d, site, rows)
        test_histograms(d, rows)
        test_checks_table(d, reports)
        screenshot(d, os.path.join(args.shots, "dashboard-desktop.png"), 1280)
        test_sorting(d)
        test_student_link(d, site)
        test_student_page(d, site, args.shots)
        test_csp_off(d, site)
        test_no_script(d, site, rows)
        test_layout(d, site, args.shots)
        test_detectors(d, site, site_dir)
    except Exception as e:  # noqa: BLE001 - a broken set-up ends the run as TAP says it must
        return TAP.bail(f"{type(e).__name__}: {str(e)[:500]}")
    finally:
        if d:
            d.quit()
        if site:
            site.close()
        shutil.rmtree(tmp, ignore_errors=True)
    TAP.note(f"html: screenshots in {args.shots}")
    return TAP.done()


if __name__ == "__main__":
    sys.exit(main())
