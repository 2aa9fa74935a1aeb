#!/usr/bin/env python3
"""relay's web console in a real browser: the relay binary on a temporary SQLite file and
a free port, headless Chromium driven through the DevTools protocol (tests/blackbox/cdp.py).
A person signs in with the workspace key, creates an agent and opens its view, posts,
sees another agent's message (posted here over HTTP) arrive live, replies in a thread,
and watches a delivery go from queued to acked with its read receipt. Screenshots of each
step go to --screenshots DIR for a person to look at.
    tests/blackbox/relay_console.py build/dev/apps/relay/relay --screenshots DIR
Exits 77 (skipped) only when no Chromium is installed (scripts/bootstrap installs it).
Prints 'N passed, N failed'."""
import argparse
import json
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from relay_attacks import Relay  # noqa: E402  (the same way of starting relay)

RESULTS = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    RESULTS["passed" if ok else "failed"] += 1
    print(("ok    " if ok else "FAIL  ") + name + ("" if ok else f"  ({detail})"), flush=True)


class Http:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def call(self, method, path, body=None, token=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def data(self, method, path, body=None, token=None):
        status, _, raw = self.call(method, path, body, token)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {raw[:300]!r}")
        return json.loads(raw)["data"]


def in_messages(text):
    return f"[...document.querySelectorAll('#messages .text')].some(e => e.textContent === {json.dumps(text)})"


def run(page, http, base, shots):
    ws = http.data("POST", "/v1/workspaces", {"name": "acme"})
    key = ws["api_key"]
    bob = http.data("POST", "/v1/agents", {"name": "bob"}, key)["token"]

    # Served with a policy that allows only this origin.
    status, headers, _ = http.call("GET", "/")
    check("GET / is the console", status == 200 and headers.get("Content-Type", "").startswith("text/html"))
    check("the console allows only its own origin", "default-src 'self'" in headers.get("Content-Security-Policy", ""))

    page.navigate(base + "/")
    page.wait("document.querySelector('#sign-in-form')", "the sign-in form")
    check("the sign-in field has a label", page.eval("document.querySelector('label[for=credential]') !== null"))
    page.screenshot(f"{shots}/01-sign-in.png")

    # The workspace key's view: create an agent, then open its view.
    page.type("#credential", key)
    page.click("#sign-in-form button[type=submit]")
    page.wait("!document.querySelector('#workspace-view').hidden", "the workspace view")
    page.wait("document.querySelector('#agents').textContent.includes('bob')", "bob in the agent list")
    page.type("#new-agent-name", "alice")
    page.click("#new-agent-form button[type=submit]")
    page.wait("document.querySelector('#open-agent')", "the new agent's token")
    check("a new agent's token is shown once", page.text("#new-agent-result .token").startswith("at_live_"))
    page.screenshot(f"{shots}/02-workspace.png")
    page.click("#open-agent")
    page.wait("!document.querySelector('#agent-view').hidden", "alice's view")
    page.wait("document.querySelector('#live').textContent === 'live'", "the live connection")
    check("the agent view says who is signed in", page.text("#who") == "Signed in as alice", page.text("#who"))

    # Post in #general; the message comes back over the WebSocket.
    page.click("[data-channel=general]")
    page.wait("!document.querySelector('#composer').hidden", "the composer")
    page.type("#composer-text", "hello from the console")
    page.click("#composer button[type=submit]")
    page.wait(in_messages("hello from the console"), "alice's own message")
    check("a message posted in the console appears", True)
    check("the message list announces additions", page.eval("document.querySelector('#messages').getAttribute('aria-live')") == "polite")

    # Another agent posts over HTTP: the message appears without a reload.
    page.eval("window.sameDocument = true")  # gone if the page reloads
    http.data("POST", "/v1/channels/general/messages", {"text": "hi alice, bob here"}, bob)
    page.wait(in_messages("hi alice, bob here"), "bob's message to arrive live")
    check("another agent's message arrives live, without a reload", page.eval("window.sameDocument === true"))
    page.screenshot(f"{shots}/03-live-message.png")

    # A thread on bob's message: alice replies in the console, bob over HTTP.
    bob_message = page.eval("[...document.querySelectorAll('#messages .message')].find("
                            "e => e.querySelector('.text').textContent === 'hi alice, bob here').dataset.messageId")
    page.click(f"#messages [data-message-id='{bob_message}'] [data-action=thread]")
    page.wait("document.querySelector('#thread')", "the thread panel")
    page.type("#reply-text", "in a thread")
    page.click("#reply-form button[type=submit]")
    page.wait("document.querySelector('#thread').textContent.includes('in a thread')", "alice's reply")
    http.data("POST", f"/v1/messages/{bob_message}/replies", {"text": "and bob replies"}, bob)
    page.wait("document.querySelector('#thread').textContent.includes('and bob replies')", "bob's reply, live")
    check("a thread opens and replies arrive in it", True)
    page.screenshot(f"{shots}/04-thread.png")

    # The deliveries of alice's message: bob's is queued, then acked when bob reads it.
    mine = page.eval("[...document.querySelectorAll('#messages .message')].find("
                     "e => e.querySelector('.text').textContent === 'hello from the console').dataset.messageId")
    page.click(f"#messages [data-message-id='{mine}'] [data-action=details]")
    page.wait("document.querySelector('#panel-body tr[data-agent=bob] .status')", "bob's delivery")
    check("the delivery view shows bob's delivery queued",
          page.text("#panel-body tr[data-agent=bob] .status") == "queued", page.text("#panel-body tr[data-agent=bob] .status"))
    http.data("GET", "/v1/deliveries", None, bob)  # handed out: delivered
    http.data("POST", f"/v1/messages/{mine}/read", {}, bob)  # read: acked, and a message.read event
    page.wait("document.querySelector('#panel-body tr[data-agent=bob] .status').textContent === 'acked'",
              "bob's delivery to turn acked")
    check("the read receipt appears live", page.text("#readers").startswith("bob read it"), page.text("#readers"))
    page.screenshot(f"{shots}/05-deliveries.png")

    # Search.
    page.type("#search-q", "console")
    page.click("#search-form button[type=submit]")
    page.wait("document.querySelector('#room-title').textContent === 'Search: console'", "the search results")
    check("search finds the message", page.eval(in_messages("hello from the console")))
    page.screenshot(f"{shots}/06-search.png")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--screenshots", default="screenshots")
    args = ap.parse_args()
    from cdp import Browser, find_chromium
    chromium = find_chromium()
    if not chromium:
        print("SKIP: no chromium on PATH (scripts/bootstrap installs Debian's chromium)", flush=True)
        return 77
    relay = Relay(args.binary, None)
    browser = None
    try:
        browser = Browser(chromium)
        page = browser.page()
        try:
            run(page, Http(relay.port), f"http://127.0.0.1:{relay.port}", os.path.abspath(args.screenshots))
        except Exception as e:  # a step that never happened: say which, with a picture
            check("the console walk-through", False, repr(e))
            page.screenshot(os.path.join(os.path.abspath(args.screenshots), "failure.png"))
        page.eval("0")  # collect the last events
        check("no script error, console error or policy violation in the page", not page.problems,
              "; ".join(page.problems[:5]))
        page.close()
    finally:
        if browser:
            browser.close()
        code = relay.stop()
        check("relay stopped cleanly on SIGTERM", code == 0, f"exit {code}")
    print(f"screenshots: {os.path.abspath(args.screenshots)}")
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed", flush=True)
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
