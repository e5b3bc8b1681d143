"""`kttn remind` (issue 5) against a real SMTP server (aiosmtpd) on 127.0.0.1.

Every run passes --as-of 10/07/2024. Then, in the bundled plan, III.2-bc-6-thang (due
30/06/2024) is overdue for the 11 district-level committees and the assigned bodies,
and II.4-so-ket (due 15/07/2024, Ban Tổ chức Tỉnh ủy) is due soon.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import Result

from conftest import invoke, run_kttn
from kttn_cli.mail import short_subject

AS_OF = "2024-07-10"
SENDER = "btctu@hungyen.example.vn"
SUBJECT = "Nhắc hạn 01-KH/BCĐ 10/07/2024"
PASSWORD = "mật-khẩu-bí-mật-42"


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
    def body(self) -> str:
        return str(self.message.get_content()).replace("\r\n", "\n")  # CRLF on the wire


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps what it receives and can refuse on demand."""

    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
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
        return AuthResult(success=True)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    # aiosmtpd's Controller cannot listen on port 0: ask the kernel for a free port first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(autouse=True)
def smtp_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SMTP setting leaks in from the machine; the sender is set."""
    for name in list(os.environ):
        if name.startswith(("KTTN_SMTP_", "KTTN_MAIL_")) or name == "SSL_CERT_FILE":
            monkeypatch.delenv(name)
    monkeypatch.setenv("KTTN_MAIL_FROM", f"Ban Tổ chức Tỉnh ủy <{SENDER}>")


ServerFactory = Callable[..., Recorder]


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerFactory]:
    """Start a real SMTP server on 127.0.0.1 and point the KTTN_SMTP_* settings at it."""
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


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    path = tmp_path / "danh-ba.toml"
    path.write_text(
        "# địa chỉ thư của các đơn vị\n"
        'van-lam = ["vanphong@vanlam.example.vn", "bantochuc@vanlam.example.vn"]\n'
        'yen-my = "vanphong@yenmy.example.vn"\n'
        'btctu = "thuky@btctu.example.vn"\n'
        'bcd-tinh = "bcd@hungyen.example.vn"\n',
        encoding="utf-8",
    )
    return path


def remind(*args: str) -> Result:
    return invoke("remind", "--as-of", AS_OF, *args)


def exits(code: int, result: Result) -> Result:
    assert result.exit_code == code, result.output + result.stderr
    assert "Traceback" not in result.stderr
    return result


# --- delivery ---------------------------------------------------------------------------


def test_summary_and_one_message_per_unit_to_exact_recipients(
    smtp_server: ServerFactory, contacts: Path
) -> None:
    server = smtp_server()
    result = exits(
        0,
        remind(
            "--to",
            "clerk@hungyen.example.vn",
            "--to",
            "boss@hungyen.example.vn",
            "--contacts",
            str(contacts),
        ),
    )
    envelopes = sorted(sorted(r.rcpt_tos) for r in server.received)
    assert envelopes == sorted(
        [
            ["boss@hungyen.example.vn", "clerk@hungyen.example.vn"],
            ["bantochuc@vanlam.example.vn", "vanphong@vanlam.example.vn"],
            ["vanphong@yenmy.example.vn"],
            ["thuky@btctu.example.vn"],
        ]
    )  # bcd-tinh has nothing to chase: no message
    assert all(r.mail_from == SENDER for r in server.received)

    for received in server.received:
        msg = received.message
        assert msg["Subject"] == SUBJECT
        assert msg["From"].addresses[0].addr_spec == SENDER
        assert msg["Auto-Submitted"] == "auto-generated"
        assert msg["Date"].datetime is not None
        assert msg["Message-ID"].endswith("@hungyen.example.vn>")
        assert msg.get_content_type() == "text/plain"
        assert msg.get_content_charset() == "utf-8"
        assert sorted(a.addr_spec for a in msg["To"].addresses) == sorted(received.rcpt_tos)
        assert "Bcc" not in msg and "Cc" not in msg

    (summary,) = server.to("clerk@hungyen.example.vn")
    body = summary.body
    assert "Quá hạn: 17; sắp đến hạn: 1." in body
    assert "Huyện ủy Văn Lâm\n  Quá hạn:\n  - Báo cáo sơ kết 06 tháng" in body
    assert "Hội nghị sơ kết 06 tháng đầu năm 2024 (II.4): hạn 15/07/2024, còn 5 ngày" in body
    # the units left without an address are named in the summary
    no_address = body.split("chưa được gửi thư riêng: ")[1]
    assert "Huyện ủy Ân Thi" in no_address and "Huyện ủy Văn Lâm" not in no_address

    (van_lam,) = server.to("vanphong@vanlam.example.vn")
    assert van_lam.body.startswith("Kính gửi Huyện ủy Văn Lâm:")
    assert "Quá hạn: 1; sắp đến hạn: 0." in van_lam.body
    assert "Hội nghị sơ kết" not in van_lam.body  # only its own items
    assert "Yên Mỹ" not in van_lam.body
    (btctu,) = server.to("thuky@btctu.example.vn")
    assert "Sắp đến hạn:\n  - Hội nghị sơ kết 06 tháng đầu năm 2024" in btctu.body

    assert "Đã gửi: clerk@hungyen.example.vn, boss@hungyen.example.vn (18 mục)" in result.stdout
    assert "Ân Thi" in result.stdout  # units without an address, on stdout too


def test_summary_only_without_contacts_and_english(smtp_server: ServerFactory) -> None:
    server = smtp_server()
    exits(0, remind("--to", "clerk@hungyen.example.vn", "--lang", "en"))
    (only,) = server.received
    assert only.rcpt_tos == ["clerk@hungyen.example.vn"]
    assert only.message["Subject"] == "Reminder 01-KH/BCĐ 10/07/2024"
    assert only.body.startswith(
        "Overdue and due-soon items of Plan No. 01-KH/BCĐ, as of 10/07/2024."
    )
    assert "10 days overdue" in only.body


def test_english_says_1_day_left_and_1_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KTTN_SMTP_PORT", str(free_port()))
    result = exits(
        0,
        invoke(
            "remind", "--as-of", "2024-07-14", "--to", "a@b.example", "--dry-run", "--lang", "en"
        ),
    )
    assert "(II.4): due 15/07/2024, 1 day left, to BCĐ tỉnh\n" in result.stdout
    assert result.stdout.endswith("\nDry run: 1 message, not sent.\n")


def test_nothing_to_chase_sends_nothing(smtp_server: ServerFactory) -> None:
    server = smtp_server()
    result = exits(0, invoke("remind", "--as-of", "2024-02-10", "--to", "clerk@hungyen.example.vn"))
    assert server.received == []
    assert "không gửi thư nào" in result.stdout


def test_dry_run_prints_and_opens_no_connection(
    monkeypatch: pytest.MonkeyPatch, contacts: Path
) -> None:
    # No SMTP settings at all, and a server address that nobody listens on.
    monkeypatch.setenv("KTTN_SMTP_PORT", str(free_port()))
    result = exits(
        0, remind("--to", "clerk@hungyen.example.vn", "--contacts", str(contacts), "--dry-run")
    )
    out = result.stdout
    assert out.count(f"Subject: {SUBJECT}\n") == 4
    assert "To: vanphong@vanlam.example.vn, bantochuc@vanlam.example.vn\n" in out
    assert "Auto-Submitted: auto-generated\n" in out
    assert "Kính gửi Huyện ủy Văn Lâm:" in out
    assert "Chạy thử: 4 thư, không thư nào được gửi." in out


def test_vietnamese_subjects_survive_a_parse_round_trip(
    smtp_server: ServerFactory, tmp_path: Path
) -> None:
    number = "Số 123-KH/BCĐ của Ban Chỉ đạo tỉnh Hưng Yên về xây dựng tổ chức đảng, đoàn thể"
    plan = tmp_path / "plan.toml"
    plan.write_text(injection_plan(number=number), encoding="utf-8")
    server = smtp_server()
    exits(0, remind("--plan", str(plan), "--to", "clerk@hungyen.example.vn"))
    exits(0, remind("--to", "clerk@hungyen.example.vn"))  # the bundled plan
    long_one, bundled = server.received
    # a long plan number is cut in the subject (it is whole in the body); a short one is not
    subject = long_one.message["Subject"]
    assert subject == short_subject("vi", number, date(2024, 7, 10))
    assert subject.startswith("Nhắc hạn Số 123-K") and subject.endswith("… 10/07/2024")
    assert f"Kế hoạch số {number}," in long_one.body
    assert bundled.message["Subject"] == SUBJECT
    lines = long_one.data.split(b"\r\n\r\n")[0].split(b"\r\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(b"Subject:"))
    assert not lines[at + 1].startswith((b" ", b"\t"))  # one physical line: never folded


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)


@settings(max_examples=300, deadline=None)
@given(
    number=st.text(
        alphabet=VIETNAMESE + VIETNAMESE.upper() + " -/0123456789", min_size=1, max_size=90
    ),
    lang=st.sampled_from(["vi", "en"]),
    day=st.dates(),
)
def test_any_subject_survives_the_header_folder(number: str, lang: Any, day: Any) -> None:
    from kttn_cli.mail import Reminder, Sender, message

    subject = short_subject(lang, number, day)
    msg = message(Reminder(("a@b.example",), subject, "x\n", 1), Sender(SENDER), _now())
    parsed = BytesParser(policy=policy.default).parsebytes(msg.as_bytes())
    assert parsed["Subject"] == subject
    assert subject.endswith(f"{day.day:02d}/{day.month:02d}/{day.year:04d}")


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime(2024, 7, 10, 7, 0, tzinfo=UTC)


# --- TLS ------------------------------------------------------------------------------


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


def server_context(ca: trustme.CA) -> Any:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def login_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, password: str = PASSWORD
) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text(password + "\n", encoding="utf-8")
    monkeypatch.setenv("KTTN_SMTP_USER", "btctu")
    monkeypatch.setenv("KTTN_SMTP_PASSWORD_FILE", str(secret))


def test_starttls_with_a_trusted_ca_logs_in_and_delivers(
    smtp_server: ServerFactory, ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server(tls="starttls", tls_context=server_context(ca), require_starttls=True)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # what a private CA needs, documented
    login_settings(monkeypatch, tmp_path)
    result = exits(0, remind("--to", "clerk@hungyen.example.vn"))
    assert server.logins == [("btctu", PASSWORD)]
    (received,) = server.received
    assert PASSWORD.encode() not in received.data
    assert PASSWORD not in result.stdout + result.stderr


def test_starttls_with_an_untrusted_certificate_is_refused_before_any_login(
    smtp_server: ServerFactory, ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server(tls="starttls", tls_context=server_context(ca), require_starttls=True)
    trusted = trustme.CA()  # the client trusts another CA only
    ca_file = tmp_path / "other-ca.pem"
    trusted.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    login_settings(monkeypatch, tmp_path)
    result = exits(78, remind("--to", "clerk@hungyen.example.vn"))
    assert "chứng chỉ" in result.stderr
    assert server.logins == []
    assert server.received == []
    assert PASSWORD not in result.stdout + result.stderr


def test_implicit_tls_with_a_trusted_ca(
    smtp_server: ServerFactory, ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # aiosmtpd offers AUTH over implicit TLS only when told that it need not wait for STARTTLS
    server = smtp_server(tls="ssl", ssl_context=server_context(ca), auth_require_tls=False)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    login_settings(monkeypatch, tmp_path, "ascii-secret")  # smtplib's own login
    exits(0, remind("--to", "clerk@hungyen.example.vn"))
    assert server.logins == [("btctu", "ascii-secret")]
    assert len(server.received) == 1


def test_starttls_is_required_when_the_server_lacks_it(smtp_server: ServerFactory) -> None:
    server = smtp_server(tls="starttls")  # plain server, no STARTTLS offered
    result = exits(78, remind("--to", "clerk@hungyen.example.vn"))
    assert "STARTTLS" in result.stderr
    assert server.received == []


# --- failures -------------------------------------------------------------------------


def test_a_server_that_never_answers_times_out_with_75(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        monkeypatch.setenv("KTTN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("KTTN_SMTP_PORT", str(silent.getsockname()[1]))
        monkeypatch.setenv("KTTN_SMTP_TLS", "none")
        monkeypatch.setenv("KTTN_SMTP_TIMEOUT", "1")
        started = time.monotonic()
        result = exits(75, remind("--to", "clerk@hungyen.example.vn"))
    assert time.monotonic() - started < 10
    assert "1 giây" in result.stderr


def test_nobody_listening_is_75(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KTTN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KTTN_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("KTTN_SMTP_TLS", "none")
    result = exits(75, remind("--to", "clerk@hungyen.example.vn"))
    assert "127.0.0.1" in result.stderr


def test_a_5xx_rejection_is_65_and_the_other_messages_still_go(
    smtp_server: ServerFactory, contacts: Path
) -> None:
    server = smtp_server(
        Recorder(
            refuse_rcpt={
                "vanphong@yenmy.example.vn": "550 5.1.1 <vanphong@yenmy.example.vn>: no such user",
            }
        )
    )
    result = exits(65, remind("--to", "clerk@hungyen.example.vn", "--contacts", str(contacts)))
    assert "550 5.1.1" in result.stderr and "vanphong@yenmy.example.vn" in result.stderr
    assert len(server.received) == 3
    assert server.to("vanphong@yenmy.example.vn") == []
    assert "Đã gửi: vanphong@vanlam.example.vn" in result.stdout


def test_a_partly_refused_message_is_65_and_names_the_refused_address(
    smtp_server: ServerFactory,
) -> None:
    server = smtp_server(Recorder(refuse_rcpt={"gone@hungyen.example.vn": "550 no such user"}))
    result = exits(
        65, remind("--to", "clerk@hungyen.example.vn", "--to", "gone@hungyen.example.vn")
    )
    (received,) = server.received
    assert received.rcpt_tos == ["clerk@hungyen.example.vn"]
    assert "gone@hungyen.example.vn" in result.stderr


def test_a_4xx_answer_is_75(smtp_server: ServerFactory) -> None:
    server = smtp_server(Recorder(data_reply="451 4.3.0 Try again later"))
    result = exits(75, remind("--to", "clerk@hungyen.example.vn"))
    assert "451 4.3.0" in result.stderr
    assert server.received == []


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"KTTN_SMTP_HOST": ""}, "KTTN_SMTP_HOST"),
        ({"KTTN_MAIL_FROM": ""}, "KTTN_MAIL_FROM"),
        ({"KTTN_MAIL_FROM": "btctu@x.example\r\nBcc: y@z.example"}, "KTTN_MAIL_FROM"),
        ({"KTTN_SMTP_TLS": "maybe"}, "KTTN_SMTP_TLS"),
        ({"KTTN_SMTP_PORT": "port"}, "KTTN_SMTP_PORT"),
        ({"KTTN_SMTP_TIMEOUT": "-1"}, "KTTN_SMTP_TIMEOUT"),
        ({"KTTN_SMTP_HOST": "mail.example.vn", "KTTN_SMTP_TLS": "none"}, "KTTN_SMTP_TLS=none"),
        ({"KTTN_SMTP_PASSWORD": PASSWORD}, "KTTN_SMTP_USER"),
        (
            {"KTTN_SMTP_USER": "u", "KTTN_SMTP_PASSWORD_FILE": "/nonexistent/pw"},
            "KTTN_SMTP_PASSWORD_FILE",
        ),
    ],
)
def test_missing_or_bad_settings_are_78(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    monkeypatch.setenv("KTTN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KTTN_SMTP_TLS", "none")
    for name, value in env.items():
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    result = exits(78, remind("--to", "clerk@hungyen.example.vn"))
    assert named in result.stderr
    assert PASSWORD not in result.stderr
    assert result.stdout == ""


def test_recipients_are_required_and_checked() -> None:
    exits(2, remind())
    result = exits(2, remind("--to", "clerk@hungyen.example.vn\r\nBcc: y@z.example"))
    assert "không hợp lệ" in result.stderr


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ('khong-co = "a@b.example"\n', ":1:1: khong-co: không có đơn vị 'khong-co'"),
        ('van-lam = "not an address"\n', ":1:1: van-lam: địa chỉ thư 'not an address'"),
        ('van-lam = ["a@b.example", "x@y.example\\r\\nBcc: y@z.example"]\n', ":1:"),
        ("van-lam = 42\n", "cần một địa chỉ thư"),
        ("van-lam = [\n", ":1:"),
        ("van-lam = []\n", "cần một địa chỉ thư"),
    ],
)
def test_a_bad_contacts_file_is_65(
    tmp_path: Path, smtp_server: ServerFactory, content: str, where: str
) -> None:
    server = smtp_server()
    path = tmp_path / "contacts.toml"
    path.write_text(content, encoding="utf-8")
    result = exits(65, remind("--contacts", str(path)))
    assert str(path) in result.stderr and where in result.stderr
    assert server.received == []


def test_a_contacts_file_that_is_not_utf8_is_65_and_a_missing_one_66(
    tmp_path: Path, smtp_server: ServerFactory
) -> None:
    smtp_server()
    path = tmp_path / "contacts.toml"
    path.write_bytes('van-lam = "Văn Lâm <a@b.example>"\n'.encode("cp1258"))
    exits(65, remind("--contacts", str(path)))
    exits(66, remind("--contacts", str(tmp_path / "none.toml")))


# --- header injection -----------------------------------------------------------------

INJECTION = "\r\nBcc: y@z.example"


def injection_plan(number: str = "99-KH/BCĐ" + INJECTION) -> str:
    """A plan whose number, unit name, task and milestone titles try to add a header."""

    def toml(text: str) -> str:
        return (
            '"'
            + text.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\r", "\\r")
            .replace("\n", "\\n")
            + '"'
        )

    return f"""
schema_version = 1

[plan]
id = "inject"
number = {toml(number)}
title = {toml("Kế hoạch" + INJECTION)}
issued_on = 2024-02-05
place = "Hưng Yên"
issuer = "Ban thử"

[plan.signer]
name = "Người Ký"
title = "Trưởng ban"

[[units]]
id = "u1"
name = {toml("Huyện ủy Văn Lâm" + INJECTION)}
short = {toml("Văn Lâm" + INJECTION)}
kind = "district_committee"

[[tasks]]
id = "T.1"
section = "I"
title = {toml("x" + INJECTION)}
text = "Nội dung"
source = "Mục I"

[[tasks.milestones]]
id = "m1"
title = {toml("Báo cáo" + INJECTION)}
due = {{ kind = "date", date = 2024-06-30 }}
due_text = {toml("30/6/2024" + INJECTION)}
assignees = ["u1"]
recipient = "u1"
source = "Mục I"
"""


def test_text_from_files_never_reaches_a_header(smtp_server: ServerFactory, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(injection_plan(), encoding="utf-8")
    contacts = tmp_path / "contacts.toml"
    contacts.write_text('u1 = "vanphong@vanlam.example.vn"\n', encoding="utf-8")
    server = smtp_server()
    exits(
        0,
        remind(
            "--plan", str(plan), "--to", "clerk@hungyen.example.vn", "--contacts", str(contacts)
        ),
    )
    assert sorted(r.rcpt_tos for r in server.received) == [
        ["clerk@hungyen.example.vn"],
        ["vanphong@vanlam.example.vn"],
    ]
    for received in server.received:
        msg = received.message
        lines = received.data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        assert not [line for line in lines if line.lower().startswith((b"bcc", b"cc"))]
        assert [name for name, _ in msg.items() if name.lower() in ("bcc", "cc")] == []
        assert msg["Subject"].startswith("Nhắc hạn 99-KH/BCĐ Bcc: y")  # one line, harmless
        # in the body the text stays, on one line
        assert "Báo cáo Bcc: y@z.example (T.1)" in received.body


# --- cron -----------------------------------------------------------------------------


def test_a_cron_like_run_delivers_the_right_messages(
    smtp_server: ServerFactory, contacts: Path, tmp_path: Path
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
        "KTTN_MAIL_FROM": SENDER,
    }
    submitted = run_kttn(
        "submit", "III.2-bc-6-thang", "van-lam", "--on", "2024-07-01", "--as-of", AS_OF, env=env
    )
    assert submitted.returncode == 0, submitted.stderr
    done = run_kttn(
        "remind",
        "--to",
        "clerk@hungyen.example.vn",
        "--contacts",
        str(contacts),
        "--as-of",
        AS_OF,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    # Văn Lâm has reported: nothing left to chase there, so no message for it
    assert server.to("vanphong@vanlam.example.vn") == []
    assert sorted(r.rcpt_tos[0] for r in server.received) == [
        "clerk@hungyen.example.vn",
        "thuky@btctu.example.vn",
        "vanphong@yenmy.example.vn",
    ]
    (summary,) = server.to("clerk@hungyen.example.vn")
    assert summary.message["Subject"] == SUBJECT
    assert "Quá hạn: 16; sắp đến hạn: 1." in summary.body
    assert "Huyện ủy Văn Lâm\n" not in summary.body


def test_the_plans_unit_addresses_serve_when_the_contacts_file_has_none(
    smtp_server: ServerFactory, tmp_path: Path
) -> None:
    def plan_with(email: str) -> str:
        path = tmp_path / "plan.toml"
        text = injection_plan(number="99-KH/BCĐ")
        path.write_text(
            text.replace(
                'kind = "district_committee"\n',
                f'kind = "district_committee"\nemail = ["{email}"]\n',
            ),
            encoding="utf-8",
        )
        return str(path)

    empty, other = tmp_path / "empty.toml", tmp_path / "other.toml"
    empty.write_text("# chưa có ai\n", encoding="utf-8")
    other.write_text('u1 = "khac@vanlam.example.vn"\n', encoding="utf-8")
    server = smtp_server()
    exits(0, remind("--plan", plan_with("u1@vanlam.example.vn"), "--contacts", str(empty)))
    exits(0, remind("--plan", plan_with("u1@vanlam.example.vn"), "--contacts", str(other)))
    assert [r.rcpt_tos for r in server.received] == [
        ["u1@vanlam.example.vn"],
        ["khac@vanlam.example.vn"],  # the contacts file wins
    ]
    # the plan's schema accepts `x,y@z`; remind does not put it in an envelope
    result = exits(
        65, remind("--plan", plan_with("x,y@vanlam.example.vn"), "--contacts", str(empty))
    )
    assert "x,y@vanlam.example.vn" in result.stderr
    assert len(server.received) == 2
