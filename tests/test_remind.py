"""`kttn remind` against a real SMTP server (aiosmtpd) on 127.0.0.1.

Every run judges as of 10/07/2024 (unless it says otherwise), on a copy of the small
plan numbered 123-KH/BCĐTU-2025. Then `bc-6-thang` (xong trước 30/06/2024,
last day 29/06) is 11 days overdue for Văn Lâm and Văn Giang; nothing else is open with
a day. Tests that need more record an extension and an ad-hoc task first.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from helpers import SMALL_PLAN, Result, kttn, ok, run_kttn
from test_mail_headers import readers

AS_OF = "2024-07-10"
NUMBER = "123-KH/BCĐTU-2025"
SENDER_NAME = "Ban Tổ chức Tỉnh ủy Hưng Yên"
SENDER = "btctu@example.org"
FROM = f"{SENDER_NAME} <{SENDER}>"
CLERK = "vanthu@example.org"
PASSWORD = "mật-khẩu-bí-mật-42"
SUMMARY_SUBJECT = (
    f"Nhắc hạn Kế hoạch số {NUMBER}, tính đến ngày 10/07/2024: 2 đầu việc quá hạn, 0 sắp đến hạn"
)
VAN_GIANG_SUBJECT = (
    "Nhắc hạn gửi Huyện ủy Văn Giang: Báo cáo sơ kết 06 tháng, hạn cuối 29/06/2024, "
    f"quá hạn 11 ngày (Kế hoạch số {NUMBER})"
)


# --- a real SMTP server -----------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        msg = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(msg, EmailMessage)
        return msg

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return str(self.message.get_content()).replace("\r\n", "\n")  # CRLF on the wire


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps what it receives and can refuse on demand."""

    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
    auth_reply: str | None = None  # a failed login's answer
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        if self.auth_reply:
            return AuthResult(success=False, handled=False, message=self.auth_reply)
        return AuthResult(success=True)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    # aiosmtpd's Controller cannot listen on port 0: ask the kernel for a free port first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


ServerFactory = Callable[..., Recorder]


@pytest.fixture(autouse=True)
def smtp_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SMTP setting leaks in from the machine; the sender is the issue's long name."""
    for name in list(os.environ):
        if name.startswith(("KTTN_SMTP_", "KTTN_MAIL_")) or name == "SSL_CERT_FILE":
            monkeypatch.delenv(name)
    monkeypatch.setenv("KTTN_MAIL_FROM", FROM)


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerFactory]:
    """Start a real SMTP server on 127.0.0.1 and point the KTTN_SMTP_* settings at it."""
    # The server logs the handshakes the tests break on purpose, from its own thread:
    # keep that out of the stderr of the kttn run being captured at the same time.
    monkeypatch.setattr(logging.getLogger("mail.log"), "disabled", True)
    controllers: list[Controller] = []

    def start(handler: Recorder | None = None, tls: str = "none", **kwargs: Any) -> Recorder:
        handler = handler or Recorder()
        handler.port = free_port()
        controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=handler.port,
            authenticator=handler.authenticate,
            **kwargs,
        )
        controller.start()
        controllers.append(controller)
        monkeypatch.setenv("KTTN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("KTTN_SMTP_PORT", str(handler.port))
        monkeypatch.setenv("KTTN_SMTP_TLS", tls)
        monkeypatch.setenv("KTTN_SMTP_TIMEOUT", "10")
        return handler

    yield start
    for controller in controllers:
        controller.stop()


# --- the plan, its ledger, the contacts --------------------------------------------------


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    """The small plan, numbered like the issue's long plan number."""
    text = SMALL_PLAN.read_text(encoding="utf-8")
    assert 'number = "02-KH/TEST"' in text
    path = tmp_path / "plan-123.toml"
    path.write_text(text.replace('number = "02-KH/TEST"', f'number = "{NUMBER}"'), "utf-8")
    return path


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    path = tmp_path / "danh-ba.toml"
    path.write_text(
        "# địa chỉ thư của các đơn vị\n"
        'van-lam = "Văn phòng Huyện ủy Văn Lâm <vanphong@vanlam.example.vn>"\n'
        'van-giang = ["vanphong@vangiang.example.vn", "Ban Tổ chức <btc@vangiang.example.vn>"]\n'
        'office = "btc@example.org"\n',
        encoding="utf-8",
    )
    return path


def remind(plan: Path, *args: str, as_of: str = AS_OF) -> Result:
    return kttn("remind", "--plan", str(plan), "--as-of", as_of, *args)


def exits(code: int, result: Result) -> Result:
    ok(result, code)
    assert "Traceback" not in result.err, str(result)
    return result


@pytest.fixture
def extended_and_ad_hoc(plan: Path) -> Path:
    """Văn Lâm's report extended to 15/07/2024; an ad-hoc quick report for Văn Lâm due
    12/07/2024, assigned by 25-CV/BTCTU, to be sent to the Ban Tổ chức."""
    ok(
        kttn(
            "extend",
            "bc-6-thang",
            "van-lam",
            "--to",
            "2024-07-15",
            "--reason",
            "Công văn 12-CV/HU xin gia hạn",
            "--plan",
            str(plan),
            "--as-of",
            "2024-07-01",
        )
    )
    ok(
        kttn(
            "task",
            "add",
            "--title",
            "Báo cáo nhanh tình hình tổ chức đảng",
            "--by",
            "25-CV/BTCTU",
            "--unit",
            "van-lam",
            "--due",
            "2024-07-12",
            "--recipient",
            "office",
            "--plan",
            str(plan),
            "--as-of",
            "2024-07-02",
        )
    )
    return plan


# --- what a reminder must do ---------------------------------------------------------------


def test_the_long_sender_and_plan_number_arrive_whole_in_three_readers(
    smtp_server: ServerFactory, plan: Path, contacts: Path
) -> None:
    server = smtp_server()
    result = exits(
        0, remind(plan, "--to", f"Văn thư Ban Tổ chức <{CLERK}>", "--contacts", str(contacts))
    )
    assert sorted(sorted(r.rcpt_tos) for r in server.received) == [
        ["btc@vangiang.example.vn", "vanphong@vangiang.example.vn"],
        ["vanphong@vanlam.example.vn"],
        [CLERK],
    ]  # the office has nothing to chase: no message
    assert {r.mail_from for r in server.received} == {SENDER}
    (summary,) = server.to(CLERK)
    (van_lam,) = server.to("vanphong@vanlam.example.vn")
    (van_giang,) = server.to("btc@vangiang.example.vn")
    expected = {
        id(summary): (SUMMARY_SUBJECT, [("Văn thư Ban Tổ chức", CLERK)]),
        id(van_lam): (
            "Nhắc hạn gửi Huyện ủy Văn Lâm: Báo cáo sơ kết 06 tháng, hạn cuối 29/06/2024, "
            f"quá hạn 11 ngày (Kế hoạch số {NUMBER})",
            [("Văn phòng Huyện ủy Văn Lâm", "vanphong@vanlam.example.vn")],
        ),
        id(van_giang): (
            VAN_GIANG_SUBJECT,
            [("", "vanphong@vangiang.example.vn"), ("Ban Tổ chức", "btc@vangiang.example.vn")],
        ),
    }
    for received in (summary, van_lam, van_giang):
        subject, to = expected[id(received)]
        for reader, found in readers(received.data).items():
            assert found == {"subject": subject, "from": [(SENDER_NAME, SENDER)], "to": to}, reader
    assert result.out == (
        "Đã gửi: vanthu@example.org (2 đầu việc)\n"
        "Đã gửi: vanphong@vanlam.example.vn (1 đầu việc)\n"
        "Đã gửi: vanphong@vangiang.example.vn, btc@vangiang.example.vn (1 đầu việc)\n"
    )
    assert result.err == ""


def test_every_message_is_plain_utf8_text_with_the_headers_mail_programs_expect(
    smtp_server: ServerFactory, plan: Path, contacts: Path
) -> None:
    server = smtp_server()
    exits(0, remind(plan, "--to", CLERK, "--contacts", str(contacts)))
    for received in server.received:
        msg = received.message
        assert msg.get_content_type() == "text/plain"
        assert msg.get_content_charset() == "utf-8"
        assert msg["Content-Transfer-Encoding"] == "quoted-printable"
        assert msg["Auto-Submitted"] == "auto-generated"
        assert msg["Date"].datetime is not None
        assert msg["Message-ID"].endswith("@example.org>")
        assert sorted(a.addr_spec for a in msg["To"].addresses) == sorted(received.rcpt_tos)
        assert "Bcc" not in msg and "Cc" not in msg and "Reply-To" not in msg
        assert "không trả lời" not in received.body  # sent from the office's real address
        assert received.data.split(b"\r\n\r\n")[0].isascii()


# --- what the messages say ---------------------------------------------------------------


def test_the_letter_to_a_unit_says_what_by_when_where_and_how_to_confirm(
    smtp_server: ServerFactory, extended_and_ad_hoc: Path, contacts: Path
) -> None:
    server = smtp_server()
    exits(0, remind(extended_and_ad_hoc, "--contacts", str(contacts)))
    (van_lam,) = server.to("vanphong@vanlam.example.vn")
    # The most urgent first: the ad-hoc report due in 2 days, then the extended one.
    assert van_lam.subject == (
        "Nhắc hạn gửi Huyện ủy Văn Lâm: Báo cáo nhanh tình hình tổ chức đảng, hạn cuối "
        f"12/07/2024, còn 2 ngày và 1 đầu việc khác (Kế hoạch số {NUMBER})"
    )
    assert van_lam.body == (
        "Kính gửi: Huyện ủy Văn Lâm\n"
        "\n"
        f"Thực hiện Kế hoạch số {NUMBER} ngày 05/02/2024 của Ban Chỉ đạo thử, tính đến "
        "ngày 10/07/2024, đơn vị còn các đầu việc sau chưa hoàn thành (quá hạn: 0; sắp "
        "đến hạn: 2).\n"
        "\n"
        "Sắp đến hạn (2):\n"
        "1. Báo cáo nhanh tình hình tổ chức đảng — còn 2 ngày\n"
        "   Nhiệm vụ T.2: Nhiệm vụ đột xuất\n"
        "   Thời hạn: 12/07/2024\n"
        "   Văn bản giao: 25-CV/BTCTU\n"
        "   Gửi Ban Tổ chức.\n"
        "2. Báo cáo sơ kết 06 tháng — còn 5 ngày\n"
        "   Nhiệm vụ T.1: Báo cáo\n"
        "   Thời hạn: xong trước 30/06/2024 (hạn cuối 29/06/2024; gia hạn đến 15/07/2024 "
        "(hạn cũ 29/06/2024))\n"
        "   Gửi Ban Tổ chức.\n"
        "\n"
        "Khi gửi báo cáo, đề nghị đơn vị trả lời thư này, ghi rõ số văn bản. Nếu đơn vị đã "
        "gửi, đề nghị trả lời thư này, ghi rõ số và ngày của văn bản đã gửi để cập nhật "
        "vào sổ theo dõi.\n"
        "\n"
        "-- \n"
        "Ban Tổ chức Tỉnh ủy Hưng Yên\n"
        "btctu@example.org\n"
        "Thư được lập bằng kttn từ sổ theo dõi thực hiện kế hoạch.\n"
    )
    (van_giang,) = server.to("btc@vangiang.example.vn")
    assert van_giang.subject == VAN_GIANG_SUBJECT
    assert "Quá hạn (1):\n1. Báo cáo sơ kết 06 tháng — quá hạn 11 ngày\n" in van_giang.body
    assert "Văn Lâm" not in van_giang.body  # only its own items


def test_attach_letters_sends_each_unit_its_word_letter(
    smtp_server: ServerFactory, extended_and_ad_hoc: Path, contacts: Path, tmp_path: Path
) -> None:
    import io

    import docx

    server = smtp_server()
    exits(
        0,
        remind(extended_and_ad_hoc, "--contacts", str(contacts), "--to", CLERK, "--attach-letters"),
    )
    (van_lam,) = server.to("vanphong@vanlam.example.vn")
    message = van_lam.message
    assert message.get_content_type() == "multipart/mixed"
    text, letter = list(message.iter_parts())
    assert text.get_content_type() == "text/plain"
    body = str(text.get_content()).replace("\r\n", "\n")  # CRLF on the wire
    assert body.startswith("Kính gửi: Huyện ủy Văn Lâm\n\nThực hiện Kế hoạch số")
    assert letter.get_filename() == "van-lam.docx"
    assert letter.get_content_type() == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    attached = letter.get_content()
    # The same letter `kttn letters` writes for the unit on the same day.
    ok(
        kttn(
            "letters",
            "--output",
            str(tmp_path / "thu"),
            "--unit",
            "van-lam",
            "--plan",
            str(extended_and_ad_hoc),
            "--as-of",
            AS_OF,
        )
    )
    written = docx.Document(str(tmp_path / "thu" / "van-lam.docx"))
    received = docx.Document(io.BytesIO(attached))
    paragraphs = [p.text for p in received.paragraphs]
    assert paragraphs == [p.text for p in written.paragraphs]
    assert any("Huyện ủy Văn Lâm" in p for p in paragraphs)
    # The summary to the office carries no letter.
    (summary,) = server.to(CLERK)
    assert summary.message.get_content_type() == "text/plain"


def test_attach_letters_in_a_dry_run_names_the_files(plan: Path, contacts: Path) -> None:
    result = exits(0, remind(plan, "--contacts", str(contacts), "--attach-letters", "--dry-run"))
    assert re.search(r"^Đính kèm: van-lam\.docx \(\d+ KiB\)$", result.out, re.M), result.out
    assert re.search(r"^Đính kèm: van-giang\.docx \(\d+ KiB\)$", result.out, re.M)


# --- every registered plan in one run ----------------------------------------------------


def chased_rows(plan: str, unit: str | None = None) -> list[dict[str, Any]]:
    """The rows a reminder chases, from `kttn export` (not from the mail code)."""
    rows = json.loads(ok(kttn("export", "-f", "json", "--plan", plan, "--as-of", AS_OF)).out)[
        "obligations"
    ]
    return [
        r
        for r in rows
        if r["status"] in ("overdue", "due_soon") and (unit is None or r["unit_id"] == unit)
    ]


def test_all_plans_sends_one_message_per_recipient_grouped_by_plan(
    smtp_server: ServerFactory, plan: Path, contacts: Path
) -> None:
    # The bundled plan, in use (it has a ledger), and the small plan registered.
    ok(kttn("submit", "III.2-bc-6-thang", "van-giang", "--on", "2024-06-25"))
    ok(kttn("plans", "add", str(plan)))
    server = smtp_server()
    result = exits(
        0,
        kttn("remind", "--all-plans", "--to", CLERK, "--contacts", str(contacts), "--as-of", AS_OF),
    )
    bundled, small = chased_rows("kh-01-bcd-2024"), chased_rows(str(plan))
    assert bundled and small
    # The summary: one message, both plans, the bundled plan first (register order).
    (summary,) = server.to(CLERK)
    overdue = sum(r["status"] == "overdue" for r in bundled + small)
    assert summary.subject == (
        f"Nhắc hạn 2 kế hoạch, tính đến ngày 10/07/2024: {overdue} đầu việc quá hạn, "
        f"{len(bundled) + len(small) - overdue} sắp đến hạn"
    )
    body = summary.body
    first = body.index("theo Kế hoạch số 01-KH/BCĐ ngày 05/02/2024")
    second = body.index(f"theo Kế hoạch số {NUMBER} ngày 05/02/2024")
    rule = "\n" + "=" * 40 + "\n"
    assert body.count(rule) == 2 and body.index(rule) < first < body.rindex(rule) < second, body
    # Văn Lâm owes under both plans: one message, one greeting, both plans' items.
    (van_lam,) = server.to("vanphong@vanlam.example.vn")
    mine = chased_rows("kh-01-bcd-2024", "van-lam") + chased_rows(str(plan), "van-lam")
    mine_overdue = sum(r["status"] == "overdue" for r in mine)
    assert van_lam.subject == (
        f"Nhắc hạn gửi Huyện ủy Văn Lâm: {mine_overdue} đầu việc quá hạn, "
        f"{len(mine) - mine_overdue} sắp đến hạn, thuộc 2 kế hoạch"
    )
    letter = van_lam.body
    assert letter.startswith("Kính gửi: Huyện ủy Văn Lâm\n\nThực hiện Kế hoạch số 01-KH/BCĐ")
    assert letter.count("Kính gửi:") == 1 and letter.count("đề nghị đơn vị trả lời") == 1
    assert f"\n\nThực hiện Kế hoạch số {NUMBER} ngày 05/02/2024" in letter
    for row in mine:
        assert row["milestone_title"] in letter, row
    # Units of the bundled plan with no address are named, once each.
    line = result.out.splitlines()[0]
    prefix = "Đơn vị có đầu việc cần đôn đốc nhưng chưa có địa chỉ thư: "
    assert line.startswith(prefix), result.out
    names = line.removeprefix(prefix).split(", ")
    assert len(names) == len(set(names)) and "BTCTU" in names, names
    # Every message went once: the summary, Văn Lâm, Văn Giang (its two addresses).
    assert len(server.received) == 3, [r.rcpt_tos for r in server.received]


def test_all_plans_attaches_each_plans_letter_named_after_the_plan(
    plan: Path, contacts: Path
) -> None:
    ok(kttn("submit", "III.2-bc-6-thang", "van-giang", "--on", "2024-06-25"))
    ok(kttn("plans", "add", str(plan)))
    result = exits(
        0,
        kttn(
            "remind",
            "--all-plans",
            "--contacts",
            str(contacts),
            "--attach-letters",
            "--dry-run",
            "--as-of",
            AS_OF,
        ),
    )
    assert re.search(r"^Đính kèm: kh-01-bcd-2024-van-lam\.docx \(\d+ KiB\)$", result.out, re.M)
    assert re.search(r"^Đính kèm: small-van-lam\.docx \(\d+ KiB\)$", result.out, re.M)


def test_all_plans_goes_on_when_one_plan_cannot_be_read(
    smtp_server: ServerFactory, plan: Path, contacts: Path, tmp_path: Path
) -> None:
    ok(kttn("submit", "III.2-bc-6-thang", "van-giang", "--on", "2024-06-25"))
    ok(kttn("plans", "add", str(plan)))
    gone = tmp_path / "gone.toml"
    gone.write_text(
        plan.read_text(encoding="utf-8").replace('id = "small"', 'id = "gone"'), "utf-8"
    )
    ok(kttn("plans", "add", str(gone)))
    gone.unlink()
    server = smtp_server()
    result = kttn(
        "remind", "--all-plans", "--to", CLERK, "--contacts", str(contacts), "--as-of", AS_OF
    )
    assert result.code == 66, result
    assert result.err == f"kttn: {gone}: không tìm thấy tệp kế hoạch: {gone}\n", result
    (summary,) = server.to(CLERK)
    assert summary.subject.startswith("Nhắc hạn 2 kế hoạch"), summary.subject


@pytest.mark.parametrize("args", [("--unit", "van-lam"), ("--task", "T.1"), ("--plan", "x.toml")])
def test_all_plans_refuses_one_plans_filters(contacts: Path, args: tuple[str, ...]) -> None:
    result = kttn("remind", "--all-plans", "--contacts", str(contacts), "--dry-run", *args)
    assert result.code == 2 and "--all-plans" in result.err, result


def test_the_summary_lists_everything_grouped_by_unit(
    smtp_server: ServerFactory, extended_and_ad_hoc: Path
) -> None:
    server = smtp_server()
    exits(0, remind(extended_and_ad_hoc, "--to", CLERK))
    (summary,) = server.received
    assert summary.subject == (
        f"Nhắc hạn Kế hoạch số {NUMBER}, tính đến ngày 10/07/2024: 1 đầu việc quá hạn, "
        "2 sắp đến hạn"
    )
    assert summary.body == (
        f"Tổng hợp các đầu việc quá hạn và sắp đến hạn theo Kế hoạch số {NUMBER} ngày "
        "05/02/2024 của Ban Chỉ đạo thử, tính đến ngày 10/07/2024.\n"
        "Quá hạn: 1; sắp đến hạn: 2.\n"
        "\n"
        "Huyện ủy Văn Lâm (quá hạn: 0; sắp đến hạn: 2)\n"
        "1. Báo cáo nhanh tình hình tổ chức đảng (T.2) — còn 2 ngày. Thời hạn: 12/07/2024\n"
        "2. Báo cáo sơ kết 06 tháng (T.1) — còn 5 ngày. Thời hạn: xong trước 30/06/2024 "
        "(hạn cuối 29/06/2024; gia hạn đến 15/07/2024 (hạn cũ 29/06/2024))\n"
        "\n"
        "Huyện ủy Văn Giang (quá hạn: 1; sắp đến hạn: 0)\n"
        "1. Báo cáo sơ kết 06 tháng (T.1) — quá hạn 11 ngày. Thời hạn: xong trước "
        "30/06/2024 (hạn cuối 29/06/2024)\n"
        "\n"
        "-- \n"
        "Ban Tổ chức Tỉnh ủy Hưng Yên\n"
        "btctu@example.org\n"
        "Thư được lập bằng kttn từ sổ theo dõi thực hiện kế hoạch.\n"
    )


def test_english_and_units_without_an_address(
    smtp_server: ServerFactory, plan: Path, tmp_path: Path
) -> None:
    server = smtp_server()
    only_van_giang = tmp_path / "one.toml"
    only_van_giang.write_text('van-giang = "vg@example.vn"\n', encoding="utf-8")
    # Văn Lâm is not in the file: the plan's address for it (vanlam@example.org) serves.
    result = exits(
        0, remind(plan, "--to", CLERK, "--contacts", str(only_van_giang), "--lang", "en")
    )
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(
        ["vanlam@example.org", "vg@example.vn", CLERK]
    )
    (summary,) = server.to(CLERK)
    assert summary.subject == (
        f"Reminders, Plan No. {NUMBER}, as of 10/07/2024: 2 overdue, 0 due soon"
    )
    (van_lam,) = server.to("vanlam@example.org")
    assert van_lam.subject == (
        "Reminder to Huyện ủy Văn Lâm: Báo cáo sơ kết 06 tháng, last day 29/06/2024, "
        f"11 days overdue (Plan No. {NUMBER})"
    )
    assert van_lam.body.startswith("To: Huyện ủy Văn Lâm\n\nUnder Plan No. ")
    assert "   Send it to Ban Tổ chức.\n" in van_lam.body
    assert "please reply to this message with the number of the document" in van_lam.body
    assert result.out.endswith("Sent: vg@example.vn (1 item)\n")


def test_a_unit_left_without_an_address_is_named(
    smtp_server: ServerFactory, plan: Path, tmp_path: Path
) -> None:
    server = smtp_server()
    empty = tmp_path / "empty.toml"
    empty.write_text("# chưa có ai\n", encoding="utf-8")
    no_email = tmp_path / "plan-no-email.toml"
    no_email.write_text(
        plan.read_text(encoding="utf-8").replace('email = ["vanlam@example.org"]\n', ""),
        encoding="utf-8",
    )
    result = exits(0, remind(no_email, "--to", CLERK, "--contacts", str(empty)))
    (summary,) = server.received
    assert summary.body.endswith(
        "Các đơn vị sau chưa có địa chỉ thư nên không được gửi thư riêng: Huyện ủy Văn Lâm; "
        "Huyện ủy Văn Giang.\n\n-- \nBan Tổ chức Tỉnh ủy Hưng Yên\nbtctu@example.org\n"
        "Thư được lập bằng kttn từ sổ theo dõi thực hiện kế hoạch.\n"
    )
    assert result.out.startswith(
        "Đơn vị có đầu việc cần đôn đốc nhưng chưa có địa chỉ thư: Văn Lâm, Văn Giang\n"
    )
    # Without --to nobody else hears of them: stderr, so that cron mails it.
    server.received.clear()
    result = exits(0, remind(no_email, "--contacts", str(empty)))
    assert server.received == []
    assert result.out == ""
    assert "chưa có địa chỉ thư: Văn Lâm, Văn Giang" in result.err


def test_nothing_to_chase_sends_nothing(smtp_server: ServerFactory, plan: Path) -> None:
    server = smtp_server()
    result = exits(0, remind(plan, "--to", CLERK, as_of="2024-02-10"))
    assert server.received == []
    assert result.out == (
        "Không có đầu việc quá hạn hay sắp đến hạn tính đến ngày 10/02/2024; không gửi thư nào.\n"
    )


def test_unit_and_task_filters(
    smtp_server: ServerFactory, extended_and_ad_hoc: Path, contacts: Path
) -> None:
    server = smtp_server()
    exits(
        0,
        remind(extended_and_ad_hoc, "--to", CLERK, "--contacts", str(contacts), "-u", "van giang"),
    )
    assert sorted(r.rcpt_tos[0] for r in server.received) == [
        "vanphong@vangiang.example.vn",
        CLERK,
    ]
    assert "Văn Lâm" not in server.to(CLERK)[0].body
    server.received.clear()
    exits(
        0, remind(extended_and_ad_hoc, "--to", CLERK, "--contacts", str(contacts), "--task", "T.2")
    )
    assert [r.rcpt_tos[0] for r in server.received] == [CLERK, "vanphong@vanlam.example.vn"]
    (van_lam,) = server.to("vanphong@vanlam.example.vn")
    assert "Báo cáo nhanh tình hình" in van_lam.body and "T.1" not in van_lam.body
    result = exits(2, remind(extended_and_ad_hoc, "--to", CLERK, "--unit", "khong co"))
    assert "kttn units" in result.err


# --- dry run -----------------------------------------------------------------------------


def test_dry_run_prints_the_messages_and_opens_no_connection(
    monkeypatch: pytest.MonkeyPatch, plan: Path, tmp_path: Path
) -> None:
    # No server settings at all, and a port nobody listens on: nothing may connect.
    monkeypatch.setenv("KTTN_SMTP_PORT", str(free_port()))
    one = tmp_path / "one.toml"
    one.write_text('van-giang = "Văn phòng <vp@vangiang.example.vn>"\n', encoding="utf-8")
    result = exits(0, remind(plan, "--to", CLERK, "--contacts", str(one), "--dry-run"))
    rule = "-" * 72
    assert result.out == (
        f"{rule}\n"
        f"From: {FROM}\n"
        f"To: {CLERK}\n"
        f"Subject: {SUMMARY_SUBJECT}\n"
        "\n"
        f"Tổng hợp các đầu việc quá hạn và sắp đến hạn theo Kế hoạch số {NUMBER} ngày "
        "05/02/2024 của Ban Chỉ đạo thử, tính đến ngày 10/07/2024.\n"
        "Quá hạn: 2; sắp đến hạn: 0.\n"
        "\n"
        "Huyện ủy Văn Lâm (quá hạn: 1; sắp đến hạn: 0)\n"
        "1. Báo cáo sơ kết 06 tháng (T.1) — quá hạn 11 ngày. Thời hạn: xong trước "
        "30/06/2024 (hạn cuối 29/06/2024)\n"
        "\n"
        "Huyện ủy Văn Giang (quá hạn: 1; sắp đến hạn: 0)\n"
        "1. Báo cáo sơ kết 06 tháng (T.1) — quá hạn 11 ngày. Thời hạn: xong trước "
        "30/06/2024 (hạn cuối 29/06/2024)\n"
        "\n"
        "-- \n"
        "Ban Tổ chức Tỉnh ủy Hưng Yên\n"
        "btctu@example.org\n"
        "Thư được lập bằng kttn từ sổ theo dõi thực hiện kế hoạch.\n"
        f"{rule}\n"
        f"From: {FROM}\n"
        "To: vanlam@example.org\n"
        "Subject: Nhắc hạn gửi Huyện ủy Văn Lâm: Báo cáo sơ kết 06 tháng, hạn cuối "
        f"29/06/2024, quá hạn 11 ngày (Kế hoạch số {NUMBER})\n"
        "\n"
        "Kính gửi: Huyện ủy Văn Lâm\n"
        "\n"
        f"Thực hiện Kế hoạch số {NUMBER} ngày 05/02/2024 của Ban Chỉ đạo thử, tính đến "
        "ngày 10/07/2024, đơn vị còn các đầu việc sau chưa hoàn thành (quá hạn: 1; sắp "
        "đến hạn: 0).\n"
        "\n"
        "Quá hạn (1):\n"
        "1. Báo cáo sơ kết 06 tháng — quá hạn 11 ngày\n"
        "   Nhiệm vụ T.1: Báo cáo\n"
        "   Thời hạn: xong trước 30/06/2024 (hạn cuối 29/06/2024)\n"
        "   Gửi Ban Tổ chức.\n"
        "\n"
        "Khi gửi báo cáo, đề nghị đơn vị trả lời thư này, ghi rõ số văn bản. Nếu đơn vị đã "
        "gửi, đề nghị trả lời thư này, ghi rõ số và ngày của văn bản đã gửi để cập nhật "
        "vào sổ theo dõi.\n"
        "\n"
        "-- \n"
        "Ban Tổ chức Tỉnh ủy Hưng Yên\n"
        "btctu@example.org\n"
        "Thư được lập bằng kttn từ sổ theo dõi thực hiện kế hoạch.\n"
        f"{rule}\n"
        "From: Ban Tổ chức Tỉnh ủy Hưng Yên <btctu@example.org>\n"
        "To: Văn phòng <vp@vangiang.example.vn>\n"
        "Subject: " + VAN_GIANG_SUBJECT + "\n"
        "\n"
        "Kính gửi: Huyện ủy Văn Giang\n"
        "\n"
        f"Thực hiện Kế hoạch số {NUMBER} ngày 05/02/2024 của Ban Chỉ đạo thử, tính đến "
        "ngày 10/07/2024, đơn vị còn các đầu việc sau chưa hoàn thành (quá hạn: 1; sắp "
        "đến hạn: 0).\n"
        "\n"
        "Quá hạn (1):\n"
        "1. Báo cáo sơ kết 06 tháng — quá hạn 11 ngày\n"
        "   Nhiệm vụ T.1: Báo cáo\n"
        "   Thời hạn: xong trước 30/06/2024 (hạn cuối 29/06/2024)\n"
        "   Gửi Ban Tổ chức.\n"
        "\n"
        "Khi gửi báo cáo, đề nghị đơn vị trả lời thư này, ghi rõ số văn bản. Nếu đơn vị đã "
        "gửi, đề nghị trả lời thư này, ghi rõ số và ngày của văn bản đã gửi để cập nhật "
        "vào sổ theo dõi.\n"
        "\n"
        "-- \n"
        "Ban Tổ chức Tỉnh ủy Hưng Yên\n"
        "btctu@example.org\n"
        "Thư được lập bằng kttn từ sổ theo dõi thực hiện kế hoạch.\n"
        f"{rule}\n"
        "Chạy thử: 3 thư, không thư nào được gửi.\n"
    )
    assert result.err == ""


def test_dry_run_without_a_sender_and_in_english(
    monkeypatch: pytest.MonkeyPatch, plan: Path
) -> None:
    monkeypatch.delenv("KTTN_MAIL_FROM")
    result = exits(0, remind(plan, "--to", CLERK, "--dry-run", "--lang", "en"))
    assert result.out.startswith("-" * 72 + f"\nTo: {CLERK}\nSubject: Reminders, Plan No. ")
    assert result.out.endswith("\nDry run: 1 message, not sent.\n")


# --- recipients ----------------------------------------------------------------------------


def test_to_takes_names_and_several_addresses(smtp_server: ServerFactory, plan: Path) -> None:
    server = smtp_server()
    exits(
        0,
        remind(
            plan,
            "--to",
            f"Văn thư Ban Tổ chức <{CLERK}>",
            "--to",
            '"Trưởng phòng, Phòng Tổ chức" <tp@example.org>, pho@example.org',
            "--to",
            CLERK,  # the same address twice: one recipient
        ),
    )
    (summary,) = server.received
    assert summary.rcpt_tos == [CLERK, "tp@example.org", "pho@example.org"]
    assert [(a.display_name, a.addr_spec) for a in summary.message["To"].addresses] == [
        ("Văn thư Ban Tổ chức", CLERK),
        ("Trưởng phòng, Phòng Tổ chức", "tp@example.org"),
        ("", "pho@example.org"),
    ]


@pytest.mark.parametrize(
    "value",
    [
        "không phải địa chỉ",
        f"{CLERK}\r\nBcc: y@z.example",
        f"Tên <{CLERK}>\nBcc: y@z.example",
        "Tên, Khác <a@b.example>",
        "x,y@example.org <a@b.example>",
    ],
)
def test_a_bad_recipient_is_a_usage_error(plan: Path, value: str) -> None:
    result = exits(2, remind(plan, "--to", value, "--dry-run"))
    assert "không hợp lệ" in result.err and "--to" in result.err
    assert result.out == ""


def test_someone_to_send_to_is_required(plan: Path) -> None:
    result = exits(2, remind(plan, "--dry-run"))
    assert "--to" in result.err and "--contacts" in result.err


# --- TLS ---------------------------------------------------------------------------------


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*(names or ("127.0.0.1", "localhost"))).configure_cert(context)
    return context


def trust(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # what a private CA needs, documented


def login_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, password: str = PASSWORD
) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text(password + "\n", encoding="utf-8")
    monkeypatch.setenv("KTTN_SMTP_USER", "btctu")
    monkeypatch.setenv("KTTN_SMTP_PASSWORD_FILE", str(secret))


def test_starttls_with_a_trusted_ca_logs_in_and_delivers(
    smtp_server: ServerFactory,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plan: Path,
) -> None:
    server = smtp_server(tls="starttls", tls_context=server_context(ca), require_starttls=True)
    trust(ca, tmp_path, monkeypatch)
    login_settings(monkeypatch, tmp_path)  # a Vietnamese password: AUTH PLAIN in UTF-8
    result = exits(0, remind(plan, "--to", CLERK))
    assert server.logins == [("btctu", PASSWORD)]
    (received,) = server.received
    assert PASSWORD.encode() not in received.data
    assert PASSWORD not in result.out + result.err


def test_implicit_tls_with_a_trusted_ca(
    smtp_server: ServerFactory,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plan: Path,
) -> None:
    # aiosmtpd offers AUTH over implicit TLS only when told that it need not wait for STARTTLS
    server = smtp_server(tls="ssl", ssl_context=server_context(ca), auth_require_tls=False)
    trust(ca, tmp_path, monkeypatch)
    login_settings(monkeypatch, tmp_path, "ascii-secret")  # smtplib's own login
    exits(0, remind(plan, "--to", CLERK))
    assert server.logins == [("btctu", "ascii-secret")]
    assert len(server.received) == 1


def test_an_untrusted_certificate_is_refused_before_any_login(
    smtp_server: ServerFactory,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plan: Path,
) -> None:
    server = smtp_server(tls="starttls", tls_context=server_context(ca), require_starttls=True)
    trust(trustme.CA(), tmp_path, monkeypatch)  # the client trusts another CA only
    login_settings(monkeypatch, tmp_path)
    result = exits(78, remind(plan, "--to", CLERK))
    assert "SSL_CERT_FILE" in result.err and "chưa gửi thư nào" in result.err
    assert server.logins == [] and server.received == []
    assert PASSWORD not in result.out + result.err


def test_a_certificate_for_another_host_name_says_so(
    smtp_server: ServerFactory,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plan: Path,
) -> None:
    server = smtp_server(
        tls="starttls",
        tls_context=server_context(ca, "mail.example.org"),
        require_starttls=True,
    )
    monkeypatch.setenv("KTTN_SMTP_HOST", "localhost")  # the certificate names mail.example.org
    trust(ca, tmp_path, monkeypatch)
    login_settings(monkeypatch, tmp_path)
    result = exits(78, remind(plan, "--to", CLERK))
    assert "được cấp cho tên máy khác" in result.err, result.err
    assert "hãy đặt KTTN_SMTP_HOST bằng một tên có trong chứng chỉ" in result.err
    assert "SSL_CERT_FILE" not in result.err  # the CA is trusted: that is not the cure
    assert server.logins == [] and server.received == []


def test_starttls_is_required_when_the_server_lacks_it(
    smtp_server: ServerFactory, plan: Path
) -> None:
    server = smtp_server(tls="starttls")  # plain server, no STARTTLS offered
    result = exits(78, remind(plan, "--to", CLERK))
    assert "không hỗ trợ STARTTLS" in result.err and "KTTN_SMTP_TLS=ssl" in result.err
    assert "KTTN_SMTP_TLS=none" in result.err  # a local relay that takes plain text
    assert server.received == []


def test_a_530_starttls_required_says_to_use_starttls(
    smtp_server: ServerFactory, ca: trustme.CA, plan: Path, contacts: Path
) -> None:
    # KTTN_SMTP_TLS=none (allowed on this machine) to a server that insists on STARTTLS.
    server = smtp_server(tls="none", tls_context=server_context(ca), require_starttls=True)
    result = exits(78, remind(plan, "--to", CLERK, "--contacts", str(contacts)))
    assert result.err == (
        f"kttn: máy chủ SMTP 127.0.0.1:{server.port} chỉ nhận thư qua TLS (530 Must issue "
        "a STARTTLS command first): hãy đặt KTTN_SMTP_TLS=starttls\n"
    )  # once, though it refused all three messages; not "check KTTN_MAIL_FROM"
    assert server.received == []


def test_implicit_tls_on_a_starttls_port_is_a_setting_to_change(
    smtp_server: ServerFactory, ca: trustme.CA, plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server(tls="starttls", tls_context=server_context(ca), require_starttls=True)
    monkeypatch.setenv("KTTN_SMTP_TLS", "ssl")
    started = time.monotonic()
    result = exits(78, remind(plan, "--to", CLERK))
    assert time.monotonic() - started < 8
    assert "không dùng TLS ngay từ đầu" in result.err
    assert "hãy đặt KTTN_SMTP_TLS=starttls" in result.err
    assert "KTTN_SMTP_TLS=none" in result.err  # or plain text, for a local relay
    assert server.received == []


def test_starttls_on_an_implicit_tls_port_is_a_setting_to_change(
    smtp_server: ServerFactory, ca: trustme.CA, plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server(tls="ssl", ssl_context=server_context(ca))
    monkeypatch.setenv("KTTN_SMTP_TLS", "starttls")
    monkeypatch.setenv("KTTN_SMTP_TIMEOUT", "2")  # it waits for a greeting that never comes
    result = exits(78, remind(plan, "--to", CLERK))
    assert "dùng TLS ngay từ đầu" in result.err and "KTTN_SMTP_TLS=ssl" in result.err
    assert server.received == []


def test_the_tls_advice_names_the_settings_file_when_the_setting_is_there(
    smtp_server: ServerFactory, plan: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server = smtp_server()
    monkeypatch.delenv("KTTN_SMTP_TLS")
    config = tmp_path / "config" / "kttn" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[smtp]\ntls = "starttls"\n', encoding="utf-8")
    result = exits(78, remind(plan, "--to", CLERK))
    assert f'tls = "ssl" trong bảng [smtp] của {config}' in result.err, result.err
    assert server.received == []


# --- logins --------------------------------------------------------------------------------


def test_a_refused_login_is_78_and_a_temporary_one_75(
    smtp_server: ServerFactory,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plan: Path,
) -> None:
    refused = Recorder(auth_reply="535 5.7.8 Authentication credentials invalid")
    smtp_server(refused, tls="starttls", tls_context=server_context(ca), require_starttls=True)
    trust(ca, tmp_path, monkeypatch)
    login_settings(monkeypatch, tmp_path, "sai-mat-khau")
    result = exits(78, remind(plan, "--to", CLERK))
    assert "từ chối đăng nhập của btctu: 535 5.7.8" in result.err
    assert "kiểm tra KTTN_SMTP_USER và mật khẩu" in result.err
    assert "sai-mat-khau" not in result.err and refused.received == []

    later = Recorder(auth_reply="454 4.7.0 Temporary authentication failure")
    smtp_server(later, tls="starttls", tls_context=server_context(ca), require_starttls=True)
    result = exits(75, remind(plan, "--to", CLERK))
    assert "454 4.7.0" in result.err and "thử lại sau" in result.err


def test_a_login_offered_only_over_tls(
    smtp_server: ServerFactory,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plan: Path,
) -> None:
    server = smtp_server(tls="none", tls_context=server_context(ca))  # AUTH after STARTTLS
    login_settings(monkeypatch, tmp_path)
    result = exits(78, remind(plan, "--to", CLERK))
    assert "chỉ cho đăng nhập qua TLS: hãy đặt KTTN_SMTP_TLS=starttls" in result.err
    assert server.logins == [] and PASSWORD not in result.err


# --- the server's answers ------------------------------------------------------------------


def test_a_server_that_is_down_is_75(monkeypatch: pytest.MonkeyPatch, plan: Path) -> None:
    monkeypatch.setenv("KTTN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KTTN_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("KTTN_SMTP_TLS", "none")
    result = exits(75, remind(plan, "--to", CLERK))
    assert "không kết nối được máy chủ SMTP 127.0.0.1:" in result.err
    assert "hãy thử lại sau" in result.err


def test_a_server_that_never_answers_times_out_with_75(
    monkeypatch: pytest.MonkeyPatch, plan: Path
) -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        monkeypatch.setenv("KTTN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("KTTN_SMTP_PORT", str(silent.getsockname()[1]))
        monkeypatch.setenv("KTTN_SMTP_TLS", "none")
        monkeypatch.setenv("KTTN_SMTP_TIMEOUT", "1")
        started = time.monotonic()
        result = exits(75, remind(plan, "--to", CLERK))
    assert time.monotonic() - started < 10
    assert "không trả lời trong 1 giây" in result.err


def test_a_4xx_answer_is_75(smtp_server: ServerFactory, plan: Path) -> None:
    server = smtp_server(Recorder(data_reply="451 4.3.0 Try again later"))
    result = exits(75, remind(plan, "--to", CLERK))
    assert "451 4.3.0" in result.err and "thử lại sau" in result.err
    assert server.received == []


def test_a_5xx_rejection_is_65_and_the_other_messages_still_go(
    smtp_server: ServerFactory, plan: Path, contacts: Path
) -> None:
    server = smtp_server(
        Recorder(
            refuse_rcpt={
                "vanphong@vanlam.example.vn": "550 5.1.1 <vanphong@vanlam.example.vn>: no user"
            }
        )
    )
    result = exits(65, remind(plan, "--to", CLERK, "--contacts", str(contacts)))
    assert "550 5.1.1" in result.err and "vanphong@vanlam.example.vn" in result.err
    assert len(server.received) == 2
    assert server.to("vanphong@vanlam.example.vn") == []
    assert "Đã gửi: vanphong@vangiang.example.vn, btc@vangiang.example.vn" in result.out


def test_several_failures_are_each_named_and_counted(
    smtp_server: ServerFactory, plan: Path, contacts: Path
) -> None:
    server = smtp_server(
        Recorder(
            refuse_rcpt={
                "vanphong@vanlam.example.vn": "550 5.1.1 no such user",
                CLERK: "452 4.2.2 mailbox full",
            }
        )
    )
    result = exits(65, remind(plan, "--to", CLERK, "--contacts", str(contacts)))
    lines = result.err.splitlines()
    assert lines[0].endswith("452 4.2.2 mailbox full; hãy thử lại sau")
    assert lines[1].endswith("550 5.1.1 no such user")
    assert "2/3 thư không gửi được; lỗi đầu tiên: máy chủ SMTP" in lines[2]
    assert len(server.received) == 1


def test_a_partly_refused_message_is_65_and_names_the_refused_address(
    smtp_server: ServerFactory, plan: Path
) -> None:
    server = smtp_server(Recorder(refuse_rcpt={"gone@example.org": "550 no such user"}))
    result = exits(65, remind(plan, "--to", CLERK, "--to", "gone@example.org"))
    (received,) = server.received
    assert received.rcpt_tos == [CLERK]
    assert "gone@example.org" in result.err


# --- settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"KTTN_SMTP_HOST": ""}, "chưa đặt KTTN_SMTP_HOST (hoặc host trong bảng [smtp]"),
        ({"KTTN_MAIL_FROM": ""}, "chưa đặt KTTN_MAIL_FROM (hoặc from trong bảng [smtp]"),
        ({"KTTN_MAIL_FROM": "btctu@x.example\r\nBcc: y@z.example"}, "KTTN_MAIL_FROM="),
        ({"KTTN_MAIL_FROM": "Ban, Tổ chức <btctu@x.example>"}, "KTTN_MAIL_FROM="),
        ({"KTTN_SMTP_TLS": "maybe"}, "KTTN_SMTP_TLS='maybe'"),
        ({"KTTN_SMTP_PORT": "port"}, "KTTN_SMTP_PORT='port'"),
        ({"KTTN_SMTP_PORT": "70000"}, "KTTN_SMTP_PORT='70000'"),
        ({"KTTN_SMTP_TIMEOUT": "-1"}, "KTTN_SMTP_TIMEOUT='-1'"),
        ({"KTTN_SMTP_HOST": "mail.example.vn", "KTTN_SMTP_TLS": "none"}, "mail.example.vn"),
        ({"KTTN_SMTP_PASSWORD": PASSWORD}, "KTTN_SMTP_USER"),
        (
            {"KTTN_SMTP_USER": "u", "KTTN_SMTP_PASSWORD_FILE": "/nonexistent/pw"},
            "không đọc được tệp mật khẩu SMTP /nonexistent/pw (KTTN_SMTP_PASSWORD_FILE)",
        ),
        (
            {
                "KTTN_SMTP_USER": "u",
                "KTTN_SMTP_PASSWORD": PASSWORD,
                "KTTN_SMTP_PASSWORD_FILE": "/etc/hostname",
            },
            "chỉ giữ một",
        ),
    ],
)
def test_missing_or_bad_settings_are_78(
    monkeypatch: pytest.MonkeyPatch, plan: Path, env: dict[str, str], named: str
) -> None:
    monkeypatch.setenv("KTTN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KTTN_SMTP_TLS", "none")
    for name, value in env.items():
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    result = exits(78, remind(plan, "--to", CLERK))
    assert named in result.err
    assert PASSWORD not in result.err
    assert result.out == ""


def test_the_settings_file_serves_and_the_environment_wins(
    smtp_server: ServerFactory, plan: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server = smtp_server()
    for name in ("KTTN_SMTP_HOST", "KTTN_SMTP_PORT", "KTTN_SMTP_TLS", "KTTN_MAIL_FROM"):
        monkeypatch.delenv(name)
    config = tmp_path / "config" / "kttn" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\ntls = "none"\nfrom = "{FROM}"\n',
        encoding="utf-8",
    )
    exits(0, remind(plan, "--to", CLERK))
    (received,) = server.received
    assert received.message["From"].addresses[0].display_name == SENDER_NAME
    monkeypatch.setenv("KTTN_MAIL_FROM", "khac@example.org")  # the environment wins
    exits(0, remind(plan, "--to", CLERK))
    assert server.received[1].mail_from == "khac@example.org"
    # A bad value in the file is named by FILE:LINE.
    config.write_text(
        config.read_text(encoding="utf-8").replace(f'from = "{FROM}"', 'from = "không hợp lệ"'),
        encoding="utf-8",
    )
    monkeypatch.delenv("KTTN_MAIL_FROM")
    result = exits(78, remind(plan, "--to", CLERK))
    assert result.err.startswith(f"kttn: {config}:5: from 'không hợp lệ' trong bảng [smtp]")


# --- the contacts file -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ('khong-co = "a@b.example"\n', ":1:1: khong-co: kế hoạch không có đơn vị 'khong-co'"),
        ('van-lam = "not an address"\n', ":1:1: van-lam: địa chỉ thư 'not an address'"),
        ('van-lam = ["a@b.example", "x@y.example\\r\\nBcc: y@z.example"]\n', ":1:"),
        ("van-lam = 42\n", "cần một địa chỉ thư hoặc một danh sách địa chỉ"),
        ("van-lam = [\n", ":1:"),
        ("van-lam = []\n", "cần một địa chỉ thư hoặc một danh sách địa chỉ"),
        ('\n\nvan-giang = "a@b.example"\n[van-lam]\nx = 1\n', ":4:"),
    ],
)
def test_a_bad_contacts_file_is_65_with_the_place(
    tmp_path: Path, smtp_server: ServerFactory, plan: Path, content: str, where: str
) -> None:
    server = smtp_server()
    path = tmp_path / "contacts.toml"
    path.write_text(content, encoding="utf-8")
    result = exits(65, remind(plan, "--contacts", str(path)))
    assert result.err.startswith(f"kttn: tệp danh bạ có 1 lỗi, đầu tiên: {path}:"), result.err
    assert where in result.err
    assert server.received == []


def test_a_contacts_file_that_is_not_utf8_is_65_and_a_missing_one_66(
    tmp_path: Path, smtp_server: ServerFactory, plan: Path
) -> None:
    smtp_server()
    path = tmp_path / "contacts.toml"
    path.write_bytes('van-lam = "Văn Lâm <a@b.example>"\n'.encode("cp1258"))
    result = exits(65, remind(plan, "--contacts", str(path)))
    assert "UTF-8" in result.err
    exits(66, remind(plan, "--contacts", str(tmp_path / "none.toml")))


def test_the_contacts_file_can_come_from_the_environment(
    smtp_server: ServerFactory, plan: Path, contacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server()
    monkeypatch.setenv("KTTN_CONTACTS", str(contacts))
    exits(0, remind(plan))
    assert len(server.received) == 2


# --- text from files never reaches a header ------------------------------------------------


def test_text_from_files_never_reaches_a_header(
    smtp_server: ServerFactory, plan: Path, tmp_path: Path
) -> None:
    injection = "\\r\\nBcc: y@z.example"
    text = plan.read_text(encoding="utf-8")
    for old in ('"Huyện ủy Văn Lâm"', '"Báo cáo sơ kết 06 tháng"', f'"{NUMBER}"'):
        assert old in text
        text = text.replace(old, f'"{old[1:-1]}{injection}"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    contacts = tmp_path / "c.toml"
    contacts.write_text('van-lam = "vp@vanlam.example.vn"\n', encoding="utf-8")
    server = smtp_server()
    exits(0, remind(bad, "--to", CLERK, "--contacts", str(contacts)))
    # Văn Giang has no address: named in the summary, sent nothing of its own.
    assert sorted(r.rcpt_tos for r in server.received) == [[CLERK], ["vp@vanlam.example.vn"]]
    for received in server.received:
        head = received.data.split(b"\r\n\r\n", 1)[0]
        assert not [line for line in head.split(b"\r\n") if line.lower().startswith(b"bcc")]
        assert "y@z.example" not in received.rcpt_tos
        assert "Bcc: y@z.example" in received.subject  # on one line, harmless
    van_lam = server.to("vp@vanlam.example.vn")[0]
    assert "1. Báo cáo sơ kết 06 tháng Bcc: y@z.example — quá hạn 11 ngày\n" in van_lam.body


# --- cron ----------------------------------------------------------------------------------


@pytest.mark.process
def test_a_cron_like_run_delivers_the_right_messages(
    smtp_server: ServerFactory, plan: Path, contacts: Path, tmp_path: Path
) -> None:
    server = smtp_server()
    home = tmp_path / "cron-home"
    home.mkdir()
    # `env -i`: only PATH, HOME and the settings; no LANG, no KTTN_DATA_DIR, no terminal.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "KTTN_SMTP_HOST": "127.0.0.1",
        "KTTN_SMTP_PORT": str(server.port),
        "KTTN_SMTP_TLS": "none",
        "KTTN_MAIL_FROM": FROM,
    }
    submitted = run_kttn(
        "submit",
        "bc-6-thang",
        "van-lam",
        "--on",
        "2024-07-01",
        "--plan",
        str(plan),
        "--as-of",
        AS_OF,
        env=env,
    )
    assert submitted.returncode == 0, submitted.stderr
    done = run_kttn(
        "remind",
        "--to",
        CLERK,
        "--contacts",
        str(contacts),
        "--plan",
        str(plan),
        "--as-of",
        AS_OF,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    # Văn Lâm has reported: nothing left to chase there, so no message for it
    assert server.to("vanphong@vanlam.example.vn") == []
    assert sorted(r.rcpt_tos[0] for r in server.received) == [
        "vanphong@vangiang.example.vn",
        CLERK,
    ]
    (summary,) = server.to(CLERK)
    assert summary.subject == SUMMARY_SUBJECT.replace("2 đầu việc", "1 đầu việc")
    for reader, found in readers(summary.data).items():
        assert found["from"] == [(SENDER_NAME, SENDER)], reader


# --- the README, as written ----------------------------------------------------------------

README_TITLE = "Cron: reminders through your SMTP server (`kttn remind`)"


def readme_section() -> str:
    """The README's section on `kttn remind`, up to the next section."""
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"^## {re.escape(README_TITLE)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert found, f"no section {README_TITLE!r} in README.md"
    return found.group(1)


def test_the_readme_examples_run_as_written(
    smtp_server: ServerFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The section's contacts file and settings file, put where it says, and each of its
    `kttn remind` lines run against a real server (which takes the place of the host)."""
    blocks = re.findall(r"^```(\w*)\n(.*?)^```$", readme_section(), re.M | re.S)
    sh = [body for info, body in blocks if info == "sh"]
    contacts_toml, config_toml = [body for info, body in blocks if info == "toml"]
    server = smtp_server(
        Recorder(), tls="none", auth_require_tls=False
    )  # the host, port and TLS mode come from the environment, which wins over the file
    home = Path(os.environ["HOME"])
    config_dir = tmp_path / "config" / "kttn"  # conftest's XDG_CONFIG_HOME
    for where in (home / ".config" / "kttn", config_dir):
        where.mkdir(parents=True, exist_ok=True)
        (where / "danh-ba.toml").write_text(contacts_toml, encoding="utf-8")
    assert "/home/btctu/.config/kttn/smtp-password" in config_toml
    (config_dir / "config.toml").write_text(
        config_toml.replace("/home/btctu", str(home)), encoding="utf-8"
    )
    (home / ".config" / "kttn" / "smtp-password").write_text("mật khẩu\n", encoding="utf-8")
    monkeypatch.delenv("KTTN_MAIL_FROM")  # the file's `from` serves
    lines = [line for body in sh for line in body.splitlines() if line.strip()]
    assert len(lines) == 4  # the last, --all-plans, a dry run
    for line in lines:
        words = [str(Path(w).expanduser()) if w[:1] == "~" else w for w in shlex.split(line)]
        assert words[0] == "kttn", line
        exits(0, kttn(*words[1:], "--as-of", AS_OF))
    assert server.logins == [("btctu", "mật khẩu")] * 2
    (summary,) = server.to("vanthu@example.gov.vn")
    assert summary.message["From"].addresses[0].display_name == SENDER_NAME
    assert summary.message["To"].addresses[0].display_name == "Văn thư Ban Tổ chức"
    # Văn Lâm's own letters (all its items, then only III.2), to the name and address
    # the contacts example gives it.
    van_lam = server.to("vanphong@vanlam.example.gov.vn")
    assert [r.message["To"].addresses[0].display_name for r in van_lam] == [
        "Văn phòng Huyện ủy Văn Lâm"
    ] * 2
    assert sorted(r.rcpt_tos[0] for r in server.received) == [
        "bantochuc@yenmy.example.gov.vn",  # Yên Mỹ's letter, to both its addresses
        "vanphong@vanlam.example.gov.vn",
        "vanphong@vanlam.example.gov.vn",
        "vanthu@example.gov.vn",
    ]


def test_a_dry_run_shows_a_name_with_a_comma_quoted(plan: Path) -> None:
    """The preview writes a mailbox as the header would: a name holding a comma is
    quoted, so 'To:' does not read as two addresses."""
    to = '"Văn thư, Ban Tổ chức" <vanthu@example.org>'
    result = exits(0, remind(plan, "--to", to, "--dry-run"))
    assert f"To: {to}\n" in result.out, result.out
