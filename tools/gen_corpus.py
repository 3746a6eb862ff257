#!/usr/bin/env python3
"""Seeded generator of realistic outbound mail for sendguard's benchmarks.

Why: throughput and accuracy figures are only comparable when everyone scans the same bytes, so
this writes the same files, byte for byte, from the same seed on every machine (Python's
`random.Random` algorithms are stable across 3.x releases; nothing here depends on hash order,
the clock or the locale).

    python3 tools/gen_corpus.py --seed 42 --size-mb 20 --out target/bench-corpus
        writes target/bench-corpus/docs/*.{html,txt} (invoices, statements, ticket
        acknowledgements, welcome, hosting-welcome and reset mails; HTML and text; templates in
        18 placeholder syntaxes and rendered mail; 1 KB to 60 KB each) and labels.jsonl in the
        shape of the dev corpus (file, kind, format, context, secrets[{category, needle, line}]).
    python3 tools/gen_corpus.py --seed 42 --single 50k --out target/bench-single/50k.html
        writes one document of about that size (1k, 50k, 1m, or a byte count) for the size
        series; --format, --kind, --context, --secrets and --no-keywords choose what it holds.

Every secret is MADE UP here from the seed: random characters in the documented shape of each
format (prefix, length, alphabet), card numbers that pass Luhn, PEM blocks of random base64.
Only the standard library is used.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import math
import os
import random
import string
import sys

# ---------------------------------------------------------------------------------------------
# Vocabulary (written for this generator).

FIRST_NAMES = ["Amelia", "Jonas", "Priya", "Mateo", "Sofia", "Kenji", "Olga", "Liam", "Fatima",
               "Noah", "Chiara", "Tomasz", "Ingrid", "Diego", "Mei", "Hannah", "Oskar", "Lucia",
               "Ravi", "Zoe", "Björn", "Elif", "Marta", "Yusuf", "Claire", "Pedro", "Aiko"]
LAST_NAMES = ["Hartmann", "Okafor", "Lindqvist", "Moreau", "Nakamura", "Kowalski", "Silva",
              "Fernández", "O'Connell", "Rossi", "Van Dijk", "Petrova", "Haddad", "Schmidt",
              "Jensen", "Costa", "Novak", "Becker", "Dubois", "Andersson", "Müller", "Tanaka"]
COMPANIES = ["Northwind Hosting", "Bluefin Telecom", "Kestrel Cloud", "Larkspur Energy",
             "Meridian Water", "Orchard Broadband", "Pinecrest Software", "Quayside Insurance",
             "Riverbend Utilities", "Solace Health", "Tidewater Mobile", "Umbra Analytics"]
STREETS = ["Harbour Road", "Linden Allee", "Rue des Tanneurs", "Calle Mayor", "Oak Lane",
           "Kingsway", "Via Roma", "Hauptstraße", "Station Square", "Mill Street"]
CITIES = ["Leeds", "Utrecht", "Lyon", "Valencia", "Graz", "Porto", "Aarhus", "Bologna",
          "Gdańsk", "Göteborg", "Cork", "Brno"]
PRODUCTS = ["Business Fibre 500", "Managed WordPress (Pro)", "Mailbox add-on (10 GB)",
            "Static IP address", "SSL certificate – wildcard", "Cloud VPS 4 vCPU / 8 GB",
            "Daily off-site backup", "Support plan – priority", "Domain renewal (.eu)",
            "Electricity – standard tariff", "Water – metered supply", "Mobile plan 25 GB",
            "Handset instalment 7/24", "Roaming bundle EU", "Seat licence – Analytics Team",
            "Load balancer (regional)", "Object storage 1 TB", "DNS hosting – premium"]
TX_DESCRIPTIONS = ["Direct debit received – thank you", "Card payment", "Late payment fee",
                   "Credit note applied", "Usage charges", "Monthly subscription",
                   "Pro-rata adjustment", "Bank transfer received", "Refund issued",
                   "Meter reading adjustment", "Promotional discount"]
TICKET_SUBJECTS = ["Cannot reach webmail since this morning", "Invoice shows the wrong VAT ID",
                   "Request to move the domain to another account", "Slow upload speed at night",
                   "Question about the new tariff", "SSL certificate did not renew",
                   "Please close my second mailbox", "Router keeps rebooting",
                   "Change of billing address", "Backup restore request for last Tuesday"]
CUSTOMER_LINES = [
    "Hello, since this morning the page shows a timeout after about thirty seconds.",
    "We changed nothing on our side, and the problem affects every colleague in the office.",
    "Could you please check whether something changed in your network last night?",
    "I attached a screenshot of the error and the output of the traceroute.",
    "The invoice for last month lists our old company name; please correct it.",
    "We would also like to know whether the discount still applies after the upgrade.",
    "Thanks in advance for looking into it, it is rather urgent for our accounting team.",
    "Our customers receive the newsletter twice, once from each of the two addresses.",
    "I tried the steps from the help centre article but the issue remains.",
]
AGENT_LINES = [
    "Thank you for contacting support. We have received your request and a member of the team "
    "will get back to you shortly.",
    "Our engineers are looking into the reported behaviour; we will keep you posted on progress.",
    "You can reply to this message to add information to the ticket; please keep the ticket "
    "number in the subject line.",
    "Our support hours are Monday to Friday, 08:00 to 20:00, and Saturday 09:00 to 13:00.",
]
LEGAL = [
    "This message was sent to you because you hold an account with us. Payment terms are "
    "fourteen days from the invoice date unless agreed otherwise in writing.",
    "Registered office as shown above. VAT is charged at the standard rate where applicable. "
    "Prices include all statutory levies unless stated otherwise.",
    "If you believe this invoice contains an error, please contact our billing team within "
    "thirty days so that we can investigate it before the next billing cycle.",
    "We process personal data in line with our privacy notice, which you can read at any time "
    "in your customer account under Settings › Privacy.",
    "Please do not reply to this automated message; replies to this address are not monitored. "
    "Use the contact form in your account instead.",
    "Late payments may incur a reminder fee and statutory interest. Your direct debit mandate "
    "reference is shown on the first page of your statement.",
]
SECURITY_PROSE = [
    "Your password must be at least 12 characters long and include a number.",
    "We will never ask you for your password by email or on the phone.",
    "Forgot your password? Use the link on the sign-in page to choose a new one.",
    "For security reasons your password is not included in this email.",
    "Tip: a password manager makes it easy to use a different password for every service.",
    "Never share your PIN or one-time code with anyone, including our staff.",
    "Keep your API key secret; you can rotate it at any time in the developer settings.",
]
# Prose for the no-keyword document: no digits, and none of the words a secret rule keys on.
NEUTRAL_WORDS = ("the a our your this that with from about garden autumn river morning team "
                 "newsletter season market village bakery harvest walk music library friends "
                 "weekend festival bright quiet warm table window story colour yellow orange "
                 "green blue picnic concert evening coffee bread apples pears honey mountain "
                 "lake meadow valley trail bicycle ferry harbour lighthouse gallery museum "
                 "painting poem chapter recipe soup salad kitchen neighbour welcome every "
                 "little lovely gentle sunny cloudy rain snow spring summer winter").split()

PASSWORD_LABELS = ["Password", "Passwort", "Contraseña", "Mot de passe", "Senha", "Wachtwoord",
                   "Lösenord", "Hasło", "Пароль", "パスワード", "密码", "비밀번호", "Salasana",
                   "Heslo", "Parola", "Jelszó", "Adgangskode", "Temporary password",
                   "Initial password", "cPanel password", "FTP password", "Wi-Fi key", "pwd",
                   "Passcode", "Kennwort", "Mật khẩu"]
PIN_LABELS = ["PIN", "Voicemail PIN", "SIM PIN", "PIN-Code", "Code PIN", "Card PIN"]
TEMPLATE_SYNTAXES = ["handlebars", "mustache", "jinja", "liquid", "twig", "go", "magento",
                     "smarty", "freemarker", "erb", "razor", "blade", "php", "percent",
                     "double_percent", "brackets", "brace", "dollar", "printf", "moodle"]
CONTEXTS = ["invoice", "statement", "ticket_ack", "welcome", "hosting_welcome", "password_reset"]
CONTEXT_WEIGHTS = [30, 18, 20, 12, 10, 10]

SAFE_SYMBOLS = "!#%*-_.@?+="
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64URL = ALNUM + "-_"


# ---------------------------------------------------------------------------------------------
# Made-up values.

class Values:
    """Random but plausible values, all drawn from one seeded `random.Random`."""

    def __init__(self, rng: random.Random):
        self.r = rng

    def s(self, alphabet: str, n: int) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def name(self) -> tuple[str, str]:
        return self.r.choice(FIRST_NAMES), self.r.choice(LAST_NAMES)

    def money(self, lo=3.0, hi=900.0) -> str:
        return f"{self.r.uniform(lo, hi):,.2f}"

    def date(self) -> str:
        return f"{self.r.randint(2023, 2026)}-{self.r.randint(1, 12):02d}-{self.r.randint(1, 28):02d}"

    def uuid(self) -> str:
        h = self.s(HEX, 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.r.choice('89ab')}{h[17:20]}-{h[20:]}"

    def invoice_no(self) -> str:
        return self.r.choice(["INV-", "RE-", "FA", "F-", "#"]) + f"{self.r.randint(2023, 2026)}-{self.r.randint(1, 999999):06d}"

    def ticket_no(self) -> str:
        return self.r.choice(["TCK-", "#", "SR", "CS-"]) + str(self.r.randint(100000, 9999999))

    def tracking(self) -> str:
        return self.r.choice(["1Z" + self.s(string.ascii_uppercase + string.digits, 16),
                              "JJD" + self.s(string.digits, 18),
                              self.s(string.ascii_uppercase, 2) + self.s(string.digits, 9) + "GB"])

    def ip(self) -> str:
        return f"{self.r.randint(11, 223)}.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}"

    def domain(self) -> str:
        return self.r.choice(["example", "acme-shop", "bakery-lind", "studio-nord", "moreau-avocats",
                              "kowalski-auto", "silva-design", "praxis-becker"]) + self.r.choice([".com", ".eu", ".de", ".fr", ".nl", ".test"])

    def username(self, first: str, last: str) -> str:
        base = (first[0] + last).lower()
        return "".join(c for c in base if c.isascii() and c.isalnum())[:10] + str(self.r.randint(1, 99))

    # --- secrets (made up, in the documented shape of each format) ---
    def password(self) -> str:
        r = self.r
        style = r.randrange(4)
        if style == 0:
            return r.choice(["Summer", "Winter", "Harbour", "Falcon", "Maple", "Tiger", "Velvet"]) + str(r.randint(1990, 2030)) + r.choice("!#%*?")
        if style == 1:
            return self.s(ALNUM, r.randint(10, 14)) + r.choice(SAFE_SYMBOLS) + self.s(string.digits, 2)
        if style == 2:
            return "-".join(r.choice(["copper", "lantern", "orbit", "quill", "meadow", "walrus", "zephyr", "nickel"]) for _ in range(3)) + str(r.randint(10, 99))
        return self.s(string.ascii_letters, 3) + self.s(string.digits, 3) + r.choice(SAFE_SYMBOLS) + self.s(ALNUM, 6)

    def token(self) -> tuple[str, str]:
        """One made-up token: (format name, value)."""
        r = self.r
        kind = r.randrange(16)
        if kind == 0:
            return "aws_access_key", "AKIA" + self.s(B32, 16)
        if kind == 1:
            return "github_pat", "ghp_" + self.s(ALNUM, 36)
        if kind == 2:
            return "github_fine_grained", "github_pat_" + self.s(ALNUM, 22) + "_" + self.s(ALNUM, 59)
        if kind == 3:
            return "slack_bot", f"xoxb-{r.randint(10**10, 10**12)}-{r.randint(10**10, 10**12)}-{self.s(ALNUM, 24)}"
        if kind == 4:
            return "stripe_secret", "sk_live_" + self.s(ALNUM, r.choice([24, 34, 99]))
        if kind == 5:
            return "sendgrid", "SG." + self.s(B64URL, 22) + "." + self.s(B64URL, 43)
        if kind == 6:
            return "google_api", "AIza" + self.s(B64URL, 35)
        if kind == 7:
            return "gitlab_pat", "glpat-" + self.s(B64URL, 20)
        if kind == 8:
            return "npm", "npm_" + self.s(ALNUM, 36)
        if kind == 9:
            return "twilio", "SK" + self.s(HEX, 32)
        if kind == 10:
            return "mailgun", "key-" + self.s(HEX, 32)
        if kind == 11:
            return "shopify", "shpat_" + self.s(HEX, 32)
        if kind == 12:
            return "slack_webhook", ("https://hooks.slack.com/services/T" + self.s(string.ascii_uppercase + string.digits, 8)
                                     + "/B" + self.s(string.ascii_uppercase + string.digits, 10) + "/" + self.s(ALNUM, 24))
        if kind == 13:
            return "jwt", self.jwt()
        if kind == 14:
            return "generic_api_key", self.s(ALNUM, 40)
        return "anthropic_like", "sk-ant-api03-" + self.s(B64URL, 93) + "AA"

    def jwt(self) -> str:
        def b64(obj: dict) -> str:
            raw = json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()
            return base64.urlsafe_b64encode(raw).decode().rstrip("=")
        header = b64({"alg": "HS256", "typ": "JWT"})
        payload = b64({"sub": str(self.r.randint(1000, 999999)), "iat": self.r.randint(1700000000, 1800000000),
                       "scope": self.r.choice(["billing", "admin", "read"])})
        return f"{header}.{payload}.{self.s(B64URL, 43)}"

    def pem(self) -> str:
        kind = self.r.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
        body = base64.b64encode(bytes(self.r.getrandbits(8) for _ in range(self.r.choice([121, 240, 600])))).decode()
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----"

    def connection_string(self) -> str:
        r = self.r
        user = r.choice(["app", "billing", "deploy", "admin", "svc_mail", "reporting"])
        pw = self.s(ALNUM, r.randint(10, 18))
        host = r.choice(["db1.internal", "10.0.4.17", "pg-prod.cluster.local", "mongo.example.net", "files.example.org"])
        scheme = r.randrange(6)
        if scheme == 0:
            return f"postgres://{user}:{pw}@{host}:5432/{r.choice(['billing', 'crm', 'shop'])}"
        if scheme == 1:
            return f"mysql://{user}:{pw}@{host}:3306/{r.choice(['wp', 'orders'])}"
        if scheme == 2:
            return f"mongodb+srv://{user}:{pw}@{host}/?retryWrites=true"
        if scheme == 3:
            return f"ftp://{user}:{pw}@{host}/uploads/"
        if scheme == 4:
            return f"redis://:{pw}@{host}:6379/0"
        return f"Server={host};Database=Billing;User Id={user};Password={pw};"

    def card(self) -> str:
        prefix = self.r.choice(["4", "51", "52", "55", "2221", "34", "37", "6011"])
        length = 15 if prefix in ("34", "37") else 16
        digits = prefix + self.s(string.digits, length - len(prefix) - 1)
        digits += str(luhn_check_digit(digits))
        if length == 15:
            groups = [digits[:4], digits[4:10], digits[10:]]
        else:
            groups = [digits[i:i + 4] for i in range(0, 16, 4)]
        return self.r.choice([" ", "-", " "]).join(groups)


def luhn_check_digit(partial: str) -> int:
    """The digit that makes `partial + digit` pass the Luhn test."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    """Luhn test over the digits of `number` (separators ignored)."""
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# ---------------------------------------------------------------------------------------------
# Placeholders.

def split_words(path: str) -> list[str]:
    return [w for w in path.replace(".", "_").split("_") if w]


def placeholder(syntax: str, path: str) -> str:
    """`path` (dotted, snake_case: `customer.first_name`) in one template syntax."""
    words = split_words(path)
    parts = path.split(".")
    camel = lambda p: "".join(w if i == 0 else w.capitalize() for i, w in enumerate(p.split("_")))
    pascal = lambda p: "".join(w.capitalize() for w in p.split("_"))
    upper = "_".join(words).upper()
    if syntax == "handlebars":
        return "{{" + path + "}}"
    if syntax == "mustache":
        return "{{ " + path + " }}"
    if syntax == "jinja":
        return "{{ " + path + " }}"
    if syntax == "liquid":
        return "{{ " + path + " | escape }}"
    if syntax == "twig":
        return "{{ " + path + "|e }}"
    if syntax == "go":
        return "{{." + ".".join(pascal(p) for p in parts) + "}}"
    if syntax == "magento":
        return "{{var " + path + "}}" if len(parts) > 1 else "{{htmlescape var=$" + path + "}}"
    if syntax == "smarty":
        return "{$" + path + "}"
    if syntax == "freemarker":
        return "${" + ".".join(camel(p) for p in parts) + "}"
    if syntax == "erb":
        return "<%= @" + path + " %>"
    if syntax == "razor":
        return "@Model." + ".".join(pascal(p) for p in parts)
    if syntax == "blade":
        return "{{ $" + "->".join(parts) + " }}"
    if syntax == "php":
        return "<?= $" + parts[0] + "".join(f"['{p}']" for p in parts[1:]) + " ?>"
    if syntax == "percent":
        return "%" + upper + "%"
    if syntax == "double_percent":
        return "%%" + upper + "%%"
    if syntax == "brackets":
        return "[[" + path + "]]"
    if syntax == "brace":
        return "{" + upper + "}"
    if syntax == "dollar":
        return "$" + upper
    if syntax == "printf":
        return "%(" + "_".join(words) + ")s"
    if syntax == "moodle":
        return "{$a->" + "".join(words) + "}"
    raise ValueError(f"unknown template syntax {syntax!r}")


def loop_open(syntax: str, var: str, coll: str) -> str:
    """Loop opener for the syntaxes that have one (others repeat the row as written)."""
    return {"handlebars": "{{#each " + coll + "}}", "mustache": "{{#" + coll + "}}",
            "jinja": "{% for " + var + " in " + coll + " %}", "liquid": "{% for " + var + " in " + coll + " %}",
            "twig": "{% for " + var + " in " + coll + " %}", "go": "{{range .Items}}",
            "smarty": "{foreach $" + coll + " as $" + var + "}", "freemarker": "<#list " + coll + " as " + var + ">",
            "erb": "<% @" + coll + ".each do |" + var + "| %>", "razor": "@foreach (var " + var + " in Model.Items) {",
            "blade": "@foreach ($" + coll + " as $" + var + ")", "php": "<?php foreach ($" + coll + " as $" + var + "): ?>",
            }.get(syntax, "")


def loop_close(syntax: str) -> str:
    return {"handlebars": "{{/each}}", "mustache": "{{/items}}", "jinja": "{% endfor %}", "liquid": "{% endfor %}",
            "twig": "{% endfor %}", "go": "{{end}}", "smarty": "{/foreach}", "freemarker": "</#list>",
            "erb": "<% end %>", "razor": "}", "blade": "@endforeach", "php": "<?php endforeach; ?>"}.get(syntax, "")


# ---------------------------------------------------------------------------------------------
# Documents.

class Doc:
    """One document under construction: blocks of (label, value) rows and paragraphs, rendered at
    the end as HTML or text. Values go through `v()`, which fills them in (rendered mail) or writes
    a placeholder (templates)."""

    def __init__(self, rng: random.Random, fmt: str, kind: str, context: str, syntax: str | None):
        self.r = rng
        self.val = Values(rng)
        self.fmt = fmt
        self.kind = kind
        self.context = context
        self.syntax = syntax
        self.parts: list[str] = []
        self.secrets: list[dict] = []  # {category, needle}
        self.company = rng.choice(COMPANIES)
        self.brand = "#" + self.val.s("0123456789abcdef", 6)

    # --- values -------------------------------------------------------------------------------
    def v(self, path: str, value: str) -> str:
        if self.kind == "template":
            return placeholder(self.syntax, path)
        return self.esc(value)

    def esc(self, text: str) -> str:
        return html.escape(text, quote=True) if self.fmt == "html" else text

    # --- building blocks ----------------------------------------------------------------------
    def heading(self, text: str) -> None:
        if self.fmt == "html":
            self.parts.append(f'<h2 style="font-family:Arial,sans-serif;font-size:20px;color:{self.brand};margin:24px 0 8px">{self.esc(text)}</h2>')
        else:
            self.parts.append(f"\n{text}\n{'=' * len(text)}")

    def para(self, text: str, raw: bool = False) -> None:
        body = text if raw else self.esc(text)
        if self.fmt == "html":
            self.parts.append(f'<p style="font-family:Arial,sans-serif;font-size:14px;line-height:20px;color:#333333;margin:0 0 12px">{body}</p>')
        else:
            self.parts.append(body)

    def rows(self, rows: list[tuple[str, str]], raw_values: bool = True) -> None:
        """Label/value rows; values are already escaped or placeholders."""
        if self.fmt == "html":
            style = self.r.randrange(3)
            if style == 0:
                cells = "\n".join(f'  <tr><td style="padding:4px 12px 4px 0;color:#666666">{self.esc(k)}</td>'
                                  f'<td style="padding:4px 0"><strong>{v}</strong></td></tr>' for k, v in rows)
                self.parts.append(f'<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="font-family:Arial,sans-serif;font-size:14px">\n{cells}\n</table>')
            elif style == 1:
                self.parts.append("<p>" + "<br>\n".join(f"{self.esc(k)}: <b>{v}</b>" for k, v in rows) + "</p>")
            else:
                self.parts.append("<ul>\n" + "\n".join(f"  <li>{self.esc(k)}: <code>{v}</code></li>" for k, v in rows) + "\n</ul>")
        else:
            sep = self.r.choice([": ", ":\t", " = ", ":  "])
            self.parts.append("\n".join(f"{k}{sep}{v}" for k, v in rows))

    def table(self, header: list[str], body: list[list[str]]) -> None:
        """A data table; cells are already escaped or placeholders."""
        if self.fmt == "html":
            th = "".join(f'<th align="left" style="padding:6px;border-bottom:2px solid {self.brand}">{self.esc(h)}</th>' for h in header)
            trs = "\n".join("  <tr>" + "".join(f'<td style="padding:6px;border-bottom:1px solid #eeeeee">{c}</td>' for c in row) + "</tr>" for row in body)
            self.parts.append(f'<table width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-family:Arial,sans-serif;font-size:13px">\n  <tr>{th}</tr>\n{trs}\n</table>')
        else:
            widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(header)]
            line = lambda cells: "  ".join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()
            self.parts.append("\n".join([line(header), "-" * (sum(widths) + 2 * (len(widths) - 1))] + [line(r) for r in body]))

    def link(self, text: str, url: str) -> str:
        if self.fmt == "html":
            return f'<a href="{html.escape(url, quote=True)}" style="color:{self.brand}">{self.esc(text)}</a>'
        return f"{text}: {url}"

    def button(self, text: str, url: str) -> None:
        if self.fmt == "html":
            self.parts.append(f'<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="background:{self.brand};border-radius:4px;padding:12px 20px">'
                              f'<a href="{html.escape(url, quote=True)}" style="color:#ffffff;text-decoration:none;font-weight:bold">{self.esc(text)}</a></td></tr></table>')
        else:
            self.parts.append(f"{text}: {url}")

    # --- decoys: look like secrets, are not ---------------------------------------------------
    def decoy(self) -> None:
        r, val = self.r, self.val
        k = r.randrange(12)
        if k == 0:
            self.rows([(r.choice(PASSWORD_LABELS[:12]), self.esc(r.choice(["********", "••••••••", "(hidden)", "**********", "the one you chose at sign-up", "not included for security reasons", ""])))])
        elif k == 1:
            self.para(r.choice(SECURITY_PROSE))
        elif k == 2:
            self.rows([("Request ID", val.uuid()), ("Correlation ID", val.uuid())])
        elif k == 3:
            self.rows([("Invoice number", val.invoice_no()), ("Customer number", str(r.randint(10**6, 10**8)))])
        elif k == 4:
            self.rows([("Tracking number", val.tracking()), ("Carrier", r.choice(["DHL", "UPS", "Royal Mail", "PostNL"]))])
        elif k == 5:
            self.rows([("Paid with", self.esc(r.choice(["Visa", "Mastercard", "Amex"]) + " " + r.choice(["•••• ", "ending ", "**** **** **** ", "xxxx-"]) + val.s(string.digits, 4)))])
        elif k == 6:
            self.para("Publishable key for the payment widget: " + self.esc("pk_live_" + val.s(ALNUM, 24)))
        elif k == 7:
            self.para(self.link("Reset your password", f"https://account.{val.domain()}/reset?token={val.s(HEX, 40)}") + " (valid for 60 minutes)", raw=True)
        elif k == 8:
            self.rows([("Mandate reference", "MD" + val.s(string.digits, 12)), ("IBAN", "DE" + val.s(string.digits, 2) + " •••• •••• " + val.s(string.digits, 4))])
        elif k == 9:
            self.rows([("Order", val.s(string.ascii_uppercase, 3) + "-" + val.s(string.digits, 8)), ("Commit", val.s(HEX, 40))])
        elif k == 10:
            self.para("Your key fingerprint: SHA256:" + val.s(ALNUM + "+/", 43))
        else:
            self.para(self.esc("Token expired on ") + val.date() + self.esc(". Sign in again to get a new session."), raw=True)

    # --- secrets ------------------------------------------------------------------------------
    def secret(self) -> None:
        """Insert one secret and record it for labels.jsonl."""
        r, val = self.r, self.val
        if self.kind == "template" and r.random() < 0.55:
            path, category = r.choice([("customer.password", "password"), ("user.temp_password", "password"),
                                       ("account.new_password", "password"), ("cpanel_password", "password"),
                                       ("ftp.password", "password"), ("wifi.key", "password"),
                                       ("api_key", "token"), ("account.api_secret", "token"),
                                       ("card.number", "payment_card"), ("card.cvv", "card_security"),
                                       ("voicemail.pin", "pin"), ("db.connection_url", "connection_string")])
            needle = placeholder(self.syntax, path)
            label = {"password": r.choice(PASSWORD_LABELS), "token": "API key", "payment_card": "Card number",
                     "card_security": "CVV", "pin": r.choice(PIN_LABELS), "connection_string": "Database URL"}[category]
            self.rows([(label, needle)])
            self.secrets.append({"category": category, "needle": needle, "source": "placeholder"})
            return
        k = r.randrange(7)
        if k == 0:
            value, label, category = val.password(), r.choice(PASSWORD_LABELS), "password"
            self.rows([("Username", self.esc(val.username(*val.name()))), (label, self.esc(value))])
        elif k == 1:
            fmt, value = val.token()
            category = "token"
            label = r.choice(["API key", "Access token", "Your token", "Webhook URL", "Secret key", "Integration key"])
            self.rows([(label, self.esc(value))])
        elif k == 2:
            value, category = val.pem(), "private_key"
            if self.fmt == "html":
                self.parts.append('<pre style="font-size:11px">' + value + "</pre>")
            else:
                self.parts.append("Your private key:\n" + value)
            value = value.splitlines()[1]  # needle: a line of the key body
        elif k == 3:
            value, category = val.connection_string(), "connection_string"
            self.rows([("Connection", self.esc(value))])
            value = self.esc(value)
        elif k == 4:
            value, category = val.card(), "payment_card"
            self.rows([("Card number", value), ("Expires", f"{r.randint(1, 12):02d}/{r.randint(26, 31)}")])
        elif k == 5:
            value, category = val.s(string.digits, r.choice([4, 6])), "pin"
            self.rows([(r.choice(PIN_LABELS), value)])
        else:
            value, category = val.s(string.digits, 3), "card_security"
            card = val.card()
            self.rows([("Card number", card), ("CVV", value)])
            self.secrets.append({"category": "payment_card", "needle": card, "source": "literal"})
        needle = self.esc(value) if category in ("password", "token") else value
        self.secrets.append({"category": category, "needle": needle, "source": "literal"})

    # --- whole document -----------------------------------------------------------------------
    def render(self) -> str:
        r, val = self.r, self.val
        if self.fmt == "text":
            return "\n\n".join(self.parts).strip() + "\n"
        title = self.esc(self.subject)
        logo = ""
        if r.random() < 0.35:  # inline logo: a data: image, bulky and never a secret
            blob = base64.b64encode(bytes(r.getrandbits(8) for _ in range(r.randint(600, 6000)))).decode()
            logo = f'<img src="data:image/png;base64,{blob}" width="120" height="40" alt="{self.esc(self.company)}">'
        else:
            logo = f'<img src="https://cdn.{val.domain()}/brand/logo.png" width="120" height="40" alt="{self.esc(self.company)}">'
        pixel = f'<img src="https://t.{val.domain()}/o/{val.s(B64URL, 48)}.gif" width="1" height="1" alt="">'
        body = "\n".join(self.parts)
        return (f"<!DOCTYPE html>\n<html lang=\"{r.choice(['en', 'de', 'fr', 'es', 'nl'])}\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n"
                f"<style>\n  body {{ margin:0; padding:0; background:#f4f4f4; }}\n  .wrapper {{ max-width:600px; margin:0 auto; background:#ffffff; }}\n"
                f"  @media (max-width:600px) {{ .wrapper {{ width:100% !important; }} }}\n  a.password-link {{ color:{self.brand}; }}\n</style>\n</head>\n"
                f"<body>\n<!-- {self.context} v{r.randint(1, 40)} -->\n"
                f"<div style=\"display:none;max-height:0;overflow:hidden\">{self.esc(self.preheader)}</div>\n"
                f"<table class=\"wrapper\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" align=\"center\"><tr><td style=\"padding:24px\">\n"
                f"{logo}\n{body}\n</td></tr></table>\n{pixel}\n</body>\n</html>\n")


def build_document(rng: random.Random, target: int, fmt: str, kind: str, context: str,
                   n_secrets: int, syntax: str | None = None) -> Doc:
    """A document of `context` close to `target` bytes, with `n_secrets` secrets at random places."""
    if kind == "template" and syntax is None:
        syntax = rng.choice(TEMPLATE_SYNTAXES)
    d = Doc(rng, fmt, kind, context, syntax)
    val = d.val
    first, last = val.name()
    d.subject = {"invoice": "Your invoice {n}", "statement": "Your monthly statement", "ticket_ack": "We received your request {n}",
                 "welcome": "Welcome to {c}", "hosting_welcome": "Your hosting account is ready",
                 "password_reset": "Reset your password"}[context].format(n=val.invoice_no(), c=d.company)
    d.preheader = rng.choice(["Thanks for being a customer.", "Here is a summary of your account.", "Action may be required.", ""])

    d.para(f"Dear {d.v('customer.first_name', first)} {d.v('customer.last_name', last)},", raw=True)
    body: list = []  # callables that add one block each, used to fill up to the target size

    if context == "invoice":
        inv = val.invoice_no()
        d.heading(f"{d.company} – Invoice")
        d.rows([("Invoice number", d.v("invoice.number", inv)), ("Invoice date", d.v("invoice.date", val.date())),
                ("Due date", d.v("invoice.due_date", val.date())), ("Customer number", d.v("customer.id", str(rng.randint(10**6, 10**8))))])
        items_open = loop_open(syntax, "item", "items") if kind == "template" else ""

        def items(n=None):
            n = n or rng.randint(3, 12)
            rows = []
            for _ in range(n):
                if kind == "template":
                    rows.append([d.v("item.description", ""), d.v("item.quantity", ""), d.v("item.unit_price", ""), d.v("item.total", "")])
                else:
                    q = rng.randint(1, 12)
                    rows.append([d.esc(rng.choice(PRODUCTS)), str(q), d.esc("€ " + val.money()), d.esc("€ " + val.money())])
            if items_open:
                d.parts.append(items_open)
            d.table(["Description", "Qty", "Unit price", "Amount"], rows)
            if items_open:
                d.parts.append(loop_close(syntax))
        items()
        d.rows([("Subtotal", d.v("invoice.subtotal", "€ " + val.money(50, 5000))), ("VAT 21%", d.v("invoice.vat", "€ " + val.money(10, 900))),
                ("Total due", d.v("invoice.total", "€ " + val.money(60, 6000)))])
        d.button("View and pay online", f"https://billing.{val.domain()}/invoices/{val.uuid()}")
        body += [items, lambda: d.para(rng.choice(LEGAL))]
    elif context == "statement":
        d.heading("Account statement")
        d.rows([("Account", d.v("account.number", str(rng.randint(10**7, 10**9)))), ("Period", d.v("statement.period", f"{val.date()} – {val.date()}")),
                ("Opening balance", d.v("statement.opening_balance", "€ " + val.money())), ("Closing balance", d.v("statement.closing_balance", "€ " + val.money()))])

        def txs():
            rows = []
            for _ in range(rng.randint(5, 20)):
                rows.append([d.v("tx.date", val.date()), d.v("tx.description", rng.choice(TX_DESCRIPTIONS)), d.v("tx.reference", val.invoice_no()),
                             d.v("tx.amount", ("-" if rng.random() < 0.3 else "") + val.money())])
            d.table(["Date", "Description", "Reference", "Amount (€)"], rows)
        txs()
        body += [txs, lambda: d.para(rng.choice(LEGAL))]
    elif context == "ticket_ack":
        t = val.ticket_no()
        d.para(f"Thank you for contacting {d.esc(d.company)} support. Your request has been logged as ticket {d.v('ticket.number', t)}.", raw=True)
        d.rows([("Ticket", d.v("ticket.number", t)), ("Subject", d.v("ticket.subject", rng.choice(TICKET_SUBJECTS))),
                ("Priority", d.v("ticket.priority", rng.choice(["Normal", "High", "Low"]))), ("Opened", d.v("ticket.created_at", val.date()))])
        d.para(rng.choice(AGENT_LINES))

        def history():
            d.para("——— Original message ———")
            for _ in range(rng.randint(2, 6)):
                line = rng.choice(CUSTOMER_LINES)
                d.para(("&gt; " if d.fmt == "html" else "> ") + d.esc(line), raw=True)
        history()
        body += [history, lambda: d.para(rng.choice(AGENT_LINES))]
    elif context in ("welcome", "hosting_welcome"):
        d.heading(f"Welcome to {d.company}")
        d.para("We are glad to have you on board. Below you find everything you need to get started.")
        rows = [("Username", d.v("user.username", val.username(first, last))), ("Login", d.v("account.login_url", f"https://my.{val.domain()}/login"))]
        if context == "hosting_welcome":
            rows += [("Server", d.v("server.hostname", f"srv{rng.randint(1, 400)}.{val.domain()}")), ("IP address", d.v("server.ip", val.ip())),
                     ("Nameservers", d.v("server.nameservers", f"ns1.{val.domain()}, ns2.{val.domain()}")), ("Control panel", d.v("cpanel.url", f"https://cp.{val.domain()}:2083"))]
        d.rows(rows)

        def steps():
            d.heading("Getting started")
            for i in range(rng.randint(3, 6)):
                d.para(f"Step {i + 1}: " + rng.choice(["Sign in with your username and the password you chose.",
                                                          "Point your domain at the nameservers above.",
                                                          "Upload your site with SFTP or the file manager.",
                                                          "Create mailboxes for your team in the control panel.",
                                                          "Turn on two-factor sign-in for extra protection.",
                                                          "Invite colleagues from the Team page."]))
        steps()
        body += [steps, lambda: d.para(rng.choice(SECURITY_PROSE))]
    else:  # password_reset
        d.para("We received a request to reset the password for your account. If this was you, use the button below; "
               "the link is valid for 60 minutes.")
        d.button("Choose a new password", f"https://account.{val.domain()}/reset?token={val.s(B64URL, 43)}" if kind == "rendered" else d.v("password_reset_url", ""))
        d.para("If you did not ask for this, you can ignore this email; your password stays the same.")
        body += [lambda: d.para(rng.choice(SECURITY_PROSE)), lambda: d.para(rng.choice(LEGAL))]

    for _ in range(rng.randint(2, 5)):
        d.decoy()
    secret_slots = sorted(rng.random() for _ in range(n_secrets))

    # Fill up to the target: body blocks, decoys, and the secrets at their relative positions.
    def size() -> int:
        return sum(len(p) for p in d.parts) + (1400 if fmt == "html" else 0)  # html: head and wrapper
    placed = 0
    guard = 0
    while size() < target and guard < 100000:
        guard += 1
        while placed < n_secrets and secret_slots[placed] * target <= size():
            d.secret()
            placed += 1
        if rng.random() < 0.15:
            d.decoy()
        else:
            rng.choice(body)()
    while placed < n_secrets:
        d.secret()
        placed += 1

    # Footer.
    unsub = f"https://mail.{val.domain()}/u/{val.s(B64URL, 32)}?e={val.s(HEX, 16)}"
    d.para(d.esc(f"{d.company} · {rng.randint(1, 200)} {rng.choice(STREETS)} · {rng.choice(CITIES)}") + " · " + d.link("Unsubscribe", unsub), raw=True)
    return d


def no_keyword_document(rng: random.Random, target: int, fmt: str) -> str:
    """Neutral prose without digits or any secret-ish word: what the keyword prefilter should skip."""
    paras = []
    n = 0
    while n < target:
        words = [rng.choice(NEUTRAL_WORDS) for _ in range(rng.randint(40, 120))]
        p = " ".join(words).capitalize() + "."
        p = f"<p>{p}</p>" if fmt == "html" else p
        paras.append(p)
        n += len(p) + 2
    return ("\n" if fmt == "html" else "\n\n").join(paras) + "\n"


def finish(d: Doc) -> tuple[str, list[dict]]:
    """Rendered text and its secrets with 1-based lines (first occurrence of each needle)."""
    text = d.render()
    secrets = []
    for s in d.secrets:
        pos = text.find(s["needle"])
        if pos < 0:  # never expected; keep the label honest instead of guessing
            raise RuntimeError(f"internal: a {s['category']} needle went missing while rendering")
        secrets.append({"category": s["category"], "needle": s["needle"], "line": text.count("\n", 0, pos) + 1,
                        "source": s["source"]})
    return text, secrets


def parse_size(text: str) -> int:
    t = text.strip().lower()
    mult = 1
    for suffix, m in (("kb", 1024), ("k", 1024), ("mb", 1024 * 1024), ("m", 1024 * 1024)):
        if t.endswith(suffix):
            t, mult = t[: -len(suffix)], m
            break
    try:
        return int(float(t) * mult)
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r} is not a number with an optional k/m suffix")


def write_corpus(seed: int, size_mb: float, out: str, secret_rate: float) -> dict:
    rng = random.Random(seed)
    docs_dir = os.path.join(out, "docs")
    os.makedirs(docs_dir, exist_ok=True)
    for name in sorted(os.listdir(docs_dir)):  # a smaller run must not leave stale files behind
        if name.startswith("bench-"):
            os.remove(os.path.join(docs_dir, name))
    goal = int(size_mb * 1024 * 1024)
    total = 0
    labels = []
    i = 0
    while total < goal:
        i += 1
        target = int(math.exp(rng.uniform(math.log(1024), math.log(60 * 1024))))
        fmt = "html" if rng.random() < 0.6 else "text"
        kind = "template" if rng.random() < 0.3 else "rendered"
        context = rng.choices(CONTEXTS, CONTEXT_WEIGHTS)[0]
        n_secrets = (1 if rng.random() < 0.7 else 2) if rng.random() < secret_rate else 0
        d = build_document(rng, target, fmt, kind, context, n_secrets)
        text, secrets = finish(d)
        ident = f"bench-{i:05d}"
        rel = f"docs/{ident}.{'html' if fmt == 'html' else 'txt'}"
        data = text.encode("utf-8")
        with open(os.path.join(out, rel), "wb") as f:
            f.write(data)
        total += len(data)
        labels.append({"id": ident, "file": rel, "kind": kind, "format": fmt, "context": context,
                       "syntax": d.syntax, "bytes": len(data), "secrets": secrets})
    with open(os.path.join(out, "labels.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for rec in labels:
            f.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    return {"documents": len(labels), "bytes": total, "with_secrets": sum(1 for l in labels if l["secrets"])}


def write_single(seed: int, size: int, out: str, fmt: str, kind: str, context: str, secrets: int,
                 no_keywords: bool) -> dict:
    rng = random.Random(seed)
    if no_keywords:
        text, found = no_keyword_document(rng, size, fmt), []
    else:
        text, found = finish(build_document(rng, size, fmt, kind, context, secrets))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    data = text.encode("utf-8")
    with open(out, "wb") as f:
        f.write(data)
    return {"bytes": len(data), "secrets": len(found)}


def self_test() -> None:
    """Checks that cost nothing to run: Luhn, determinism of a small corpus, needle lines."""
    v = Values(random.Random(1))
    for _ in range(200):
        assert luhn_valid(v.card()), "generated card number fails Luhn"
    for syntax in TEMPLATE_SYNTAXES:
        assert placeholder(syntax, "customer.first_name"), syntax
    import tempfile
    digests = []
    for _ in range(2):
        with tempfile.TemporaryDirectory() as tmp:
            write_corpus(7, 0.3, tmp, 0.2)
            h = hashlib.sha256()
            for root, _dirs, files in sorted(os.walk(tmp)):
                for name in sorted(files):
                    with open(os.path.join(root, name), "rb") as f:
                        h.update(name.encode() + b"\0" + f.read())
            digests.append(h.hexdigest())
    assert digests[0] == digests[1], "same seed gave different bytes"
    print("gen_corpus self-test: ok")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--size-mb", type=float, default=20.0, help="corpus size (default 20)")
    ap.add_argument("--out", default="target/bench-corpus", help="corpus folder, or the file with --single")
    ap.add_argument("--secret-rate", type=float, default=0.04, help="share of documents with secrets (default 0.04)")
    ap.add_argument("--single", type=parse_size, help="write one document of about this size (1k, 50k, 1m) to --out")
    ap.add_argument("--format", choices=["html", "text"], default="html")
    ap.add_argument("--kind", choices=["rendered", "template"], default="rendered")
    ap.add_argument("--context", choices=CONTEXTS, default="invoice")
    ap.add_argument("--secrets", type=int, default=0, help="secrets in the --single document (default 0)")
    ap.add_argument("--no-keywords", action="store_true", help="--single: neutral prose with no keyword at all")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args(argv)
    if args.self_test:
        self_test()
        return 0
    if args.single is not None:
        info = write_single(args.seed, args.single, args.out, args.format, args.kind, args.context, args.secrets, args.no_keywords)
        print(f"gen_corpus: wrote {args.out} ({info['bytes']} bytes, {info['secrets']} secrets)")
        return 0
    if not 0.0 <= args.secret_rate <= 1.0:
        ap.error("--secret-rate must be between 0 and 1")
    info = write_corpus(args.seed, args.size_mb, args.out, args.secret_rate)
    print(f"gen_corpus: wrote {info['documents']} documents, {info['bytes']} bytes, "
          f"{info['with_secrets']} with secrets, to {args.out} (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
