"""``chat_message_latency_p95_ms``: how long a web chat message takes from the customer pressing
Enter in the widget to the agent's console showing it (TEC-7 "typing and delivery updates
within 1 s"; target ≤ 1,000 ms at p95).

Runs the real thing: kefu served over HTTP on 127.0.0.1 (Django's threaded live server), a
customer's page on its own origin holding only the widget's script tag, and the agent console,
both in headless system Chromium (``/usr/bin/chromium``) driven by Playwright. Both pages run
on this machine, so their ``Date.now()`` clocks agree: the customer page stamps the Enter key
(capture phase, before the widget handles it), a MutationObserver on the agent page stamps the
moment the message's bubble is added. Messages are sent at random gaps so they do not lock onto
the console's poll interval.

Call :func:`run_chat_latency` in a fresh data store (as ``kefu bench`` does: it migrates first):
``run_chat_latency(samples=100)`` → ``{"chat_message_latency_p95_ms": …, …}``.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command

from kefu.tests_support.browser import CHROMIUM, ShopSite, chromium_launch

PASSWORD = "bench-chat-password-1"
# Stamps, on the agent page, when each customer message first appears in the transcript.
AGENT_OBSERVER = """() => {
  window.__seen = {};
  const transcript = document.getElementById("chat-transcript");
  new MutationObserver((records) => {
    const at = Date.now();
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === 1 && node.classList.contains("kefu-chat-customer")) {
          const text = node.firstChild.textContent;
          if (!(text in window.__seen)) { window.__seen[text] = at; }
        }
      }
    }
  }).observe(transcript, { childList: true, subtree: true });
}"""
# Stamps, on the customer page, the Enter key before the widget sends.
CUSTOMER_STAMP = """() => {
  const input = document.querySelector("#kefu-chat").shadowRoot.querySelector(".kc-input");
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { window.__sentAt = Date.now(); }
  }, { capture: true });
}"""


def _live_server() -> Any:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    if "127.0.0.1" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return server


def _center() -> tuple[str, str]:
    """A team, an agent who may chat, and a widget of the team; returns (username, key)."""
    from kefu.accounts.models import Team
    from kefu.accounts.roles import Role
    from kefu.accounts.services import user_create
    from kefu.channels.chat.services import presence_set
    from kefu.channels.models import ChatWidget, Presence

    team, _ = Team.objects.get_or_create(name="bench-chat")
    agent = user_create(
        actor=None,
        username="bench-chat-agent",
        password=PASSWORD,
        display_name="小李",
        roles=[Role.AGENT],
        team=team,
    )
    ChatWidget.objects.update_or_create(key="bench", defaults={"name": "bench", "team": team})
    presence_set(actor=agent, status=Presence.AVAILABLE, max_chats=5)
    return agent.username, "bench"


def run_chat_latency(*, samples: int = 100, seed: int = 3) -> dict[str, Any]:
    """Send ``samples`` chat messages from a customer page and time each one until the agent's
    console shows it; returns p50/p95/max in milliseconds."""
    from playwright.sync_api import sync_playwright

    from kefu.bench.core import percentile

    if samples < 1:
        raise ValueError("samples must be at least 1")
    if not CHROMIUM.exists():
        raise RuntimeError(f"the chat benchmark needs Chromium at {CHROMIUM}")
    rng = random.Random(seed)
    call_command("migrate", interactive=False, verbosity=0)
    username, key = _center()
    server = _live_server()
    base = f"http://127.0.0.1:{server.port}"
    shop = ShopSite(base, key)
    # Playwright keeps an event loop in this thread; the live server's threads use the ORM.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    latencies: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = chromium_launch(playwright)
            agent = browser.new_context(locale="zh-CN").new_page()
            agent.goto(f"{base}/accounts/login/")
            agent.fill("#id_username", username)
            agent.fill("#id_password", PASSWORD)
            agent.click("form:has(#id_password) button[type=submit]")
            agent.wait_for_load_state()
            agent.goto(f"{base}/chat/console/")
            agent.evaluate(AGENT_OBSERVER)

            customer = browser.new_context(locale="zh-CN").new_page()
            customer.goto(shop.url)
            customer.locator("#kefu-chat .kc-launcher").click()
            box = "#kefu-chat .kc-input"
            customer.fill(box, "开始")
            customer.press(box, "Enter")
            agent.wait_for_function("() => '开始' in window.__seen", timeout=15_000)
            customer.evaluate(CUSTOMER_STAMP)
            for number in range(samples):
                text = f"消息 {number:04d}"
                customer.fill(box, text)
                customer.press(box, "Enter")
                sent_at = customer.evaluate("() => window.__sentAt")
                agent.wait_for_function(
                    f"() => {text!r} in window.__seen", timeout=15_000, polling=20
                )
                seen_at = agent.evaluate(f"() => window.__seen[{text!r}]")
                latencies.append(float(seen_at - sent_at))
                time.sleep(rng.uniform(0.05, 0.45))
            browser.close()
    finally:
        shop.close()
        server.terminate()
    return {
        "chat_samples": samples,
        "chat_poll_ms": settings.KEFU_CHAT_POLL_MS,
        "chat_message_latency_p50_ms": round(statistics.median(latencies), 1),
        "chat_message_latency_p95_ms": round(percentile(latencies, 0.95), 1),
        "chat_message_latency_max_ms": round(max(latencies), 1),
    }
