"""HTML shell shared by the support page and the FAQ page.

Pages are built in Python with every dynamic value passed through `html.escape`, and
the policy figures come from `bot.policy.load_policy().figures()`; no number is typed
here. The widget's configuration travels in <meta> tags, because the Content Security
Policy (see serve.py) forbids inline scripts.
"""
from __future__ import annotations

from html import escape
from typing import Iterable, Mapping, Optional, Sequence, Tuple

from bot.policy import load_policy

SITE_NAME = "Cloud Support"
#: Demo accounts of the seed (docs/STORE.md has the full story of each).
DEMO_ACCOUNTS: Sequence[Tuple[str, str]] = (
    ("C1001", "Li Wei, common: one order per refund rule, outage, approved filing"),
    ("C1002", "Wang Fang, VIP: no yearly refund limit, capped faults, filing under review"),
    ("C1003", "Zhang Min, common: yearly refund limit reached, open faults"),
    ("C1004", "Chen Jie, common: refund-window and ICP edge cases"),
    ("C1005", "Liu Yang, VIP in USD: reward already received, billing error"),
)


def shell(title: str, body: str, *, rasa_url: str, demo: bool, active: str,
          figures: Optional[Mapping[str, str]] = None) -> str:
    """A full HTML document with the site header, the chat widget and the footer."""
    figures = figures or load_policy().figures()
    current = ' aria-current="page"'
    nav = "".join(
        f'<a href="{href}"{current if key == active else ""}>{escape(label)}</a>'
        for key, href, label in (("support", "/", "Support"), ("faq", "/faq.html", "FAQ"))
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="assurance-rasa-url" content="{escape(rasa_url)}">
<meta name="assurance-demo" content="{'1' if demo else '0'}">
<title>{escape(title)} · {escape(SITE_NAME)}</title>
<link rel="stylesheet" href="/static/site.css">
<link rel="stylesheet" href="/static/widget.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site-header">
  <span class="brand">{escape(SITE_NAME)}</span>
  <nav aria-label="Main">{nav}</nav>
</header>
<main id="main">
{body}
</main>
<footer class="site-footer">
  <p>Hotline <a href="tel:{escape(figures['hotline_number'])}" data-figure="hotline_number">{escape(figures['hotline_number'])}</a>
  (refund and compensation help <span data-figure="hotline_days">{escape(figures['hotline_days'])}</span>,
  <span data-figure="hotline_open">{escape(figures['hotline_open'])}</span>&ndash;<span data-figure="hotline_close">{escape(figures['hotline_close'])}</span>
  <span data-figure="hotline_tz">{escape(figures['hotline_tz'])}</span>). Service tickets are taken at any hour.
  Policy version <span data-figure="policy_version">{escape(figures['policy_version'])}</span>.</p>
</footer>
<script src="/static/socket.io.min.js"></script>
<script src="/static/widget.js"></script>
<script src="/static/site.js"></script>
</body>
</html>
"""


def demo_picker(accounts: Iterable[Tuple[str, str]] = DEMO_ACCOUNTS) -> str:
    """The DEMO login picker: mints a token through /demo/token (demo mode only)."""
    options = "".join(
        f'<option value="{escape(cid)}">{escape(cid)} &mdash; {escape(label)}</option>'
        for cid, label in accounts
    )
    return f"""<section class="demo" aria-labelledby="demo-title">
  <h2 id="demo-title"><span class="demo-badge">DEMO</span> Sign in as a demo customer</h2>
  <p>This picker exists only in the local demo: it asks the demo server to sign a
  token with a public demo secret. A real support site signs the token for the
  customer who is actually logged in.</p>
  <form id="demo-login" class="demo-form">
    <label for="demo-account">Account</label>
    <select id="demo-account" name="account">
      <option value="">Guest (not signed in)</option>
      {options}
    </select>
    <button type="submit">Sign in</button>
  </form>
  <p id="demo-status" class="demo-status" role="status" aria-live="polite"></p>
</section>"""


def support_page(*, rasa_url: str, demo: bool) -> str:
    """The support home page: what the assistant does, demo login, links."""
    figures = load_policy().figures()
    body = f"""<section class="hero">
  <h1>How can we help?</h1>
  <p>Our assistant checks a refund, fault compensation or the ICP filing reward
  against the published service-assurance policy, for your own orders once you are
  signed in. Read the <a href="/faq.html">frequently asked questions</a> first, or
  open the chat.</p>
  <p><button type="button" class="primary" data-open-chat>Chat with the assistant</button></p>
</section>
<section class="cards" aria-label="Topics">
  <article class="card"><h2>Refunds</h2><p>Full refund of prepaid products within
  <span data-figure="refund_days">{escape(figures['refund_days'])}</span> days of purchase.</p>
  <button type="button" data-ask="/request_refund" data-ask-title="I'd like a refund">Check my refund</button></article>
  <article class="card"><h2>Fault compensation</h2><p>Up to
  <span data-figure="fault_multiplier">{escape(figures['fault_multiplier'])}</span> times the cost of the fault duration.</p>
  <button type="button" data-ask="/report_fault" data-ask-title="I want compensation for a fault">Check my compensation</button></article>
  <article class="card"><h2>ICP filing reward</h2><p>A reward for your first website filing with us.</p>
  <button type="button" data-ask="/ask_icp_reward" data-ask-title="Can I get the ICP filing reward?">Check my reward</button></article>
</section>
{demo_picker() if demo else ''}"""
    return shell("Support", body, rasa_url=rasa_url, demo=demo, active="support")
