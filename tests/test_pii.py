"""PII redaction on the sample contact page and on look-alikes that must stay."""

from __future__ import annotations

import pyarrow as pa

from polycorpus.stages.config import PiiConfig
from polycorpus.stages.pii import Pii

CONTACT = (
    "Plot allocations and the waiting list: Jane Doe, jane.doe@example.com, phone (555) 010-4477.\n"
    "Work days and volunteering: Rahul Testington, volunteers@example.org, mobile +1-202-555-0134.\n"
    "Treasurer (membership fees, invoices): Li Example, treasurer@larkspur.example.org, 555-0198.\n"
    "If the online form does not load, send your IP address (for example 203.0.113.7) to us. "
    "Our mirror is at 8.8.4.4 and 2001:4860:4860::8844; the router is 192.168.1.1.\n"
    "客服电话 13812345678。"
)
KEEP = "Version 1.2.3 was released on 2024-05-06 at 12:30:45; ISBN 978-3-16-148410-0; born 1985; 3.14159."


def redact(texts: list[str], **options: object):
    return Pii(PiiConfig(**options)).process(pa.table({"text": texts}))


def test_emails_phones_and_public_ips_are_replaced_and_counted() -> None:
    result = redact([CONTACT, KEEP, ""])
    text, kept, empty = result.table.column("text").to_pylist()
    assert "@" not in text and "555" not in text and "13812345678" not in text
    assert text.count("<EMAIL>") == 3 and text.count("<PHONE>") == 4 and text.count("<IP_ADDRESS>") == 2
    assert "203.0.113.7" in text and "192.168.1.1" in text  # documentation and private addresses
    assert kept == KEEP and empty == ""
    assert result.counters == {"email": 3, "ip": 2, "phone": 4, "documents": 1}


def test_every_ip_and_custom_placeholders() -> None:
    result = redact([CONTACT], ip="all", email=False, email_placeholder="[e]", phone_placeholder="[p]")
    text = result.table.column("text")[0].as_py()
    assert "203.0.113.7" not in text and "192.168.1.1" not in text and "jane.doe@example.com" in text
    assert text.count("[p]") == 4
    assert result.counters == {"email": 0, "ip": 4, "phone": 4, "documents": 1}
    assert redact([CONTACT], ip="none").counters["ip"] == 0


def test_documents_without_candidates_pass_untouched() -> None:
    batch = pa.table({"text": ["no digits or at-signs here", "😀"]})
    result = Pii(PiiConfig()).process(batch)
    assert result.table is batch and result.counters["documents"] == 0
