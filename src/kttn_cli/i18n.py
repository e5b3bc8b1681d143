"""Everything kttn says to people, in Vietnamese (default) and English.

One table, keyed by message id; `say(key, lang, **params)` formats it. Status labels
follow DESIGN §3.
"""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # statuses (DESIGN §3)
    "status.on_time": ("Hoàn thành đúng hạn", "Done on time"),
    "status.late": ("Hoàn thành quá hạn", "Done late"),
    "status.done": ("Đã hoàn thành", "Done"),
    "status.overdue": ("Quá hạn", "Overdue"),
    "status.due_soon": ("Sắp đến hạn", "Due soon"),
    "status.pending": ("Trong hạn", "Pending"),
    "status.undated": ("Không thời hạn", "No deadline"),
    # deadline kinds
    "kind.date": ("Ngày", "Date"),
    "kind.quarter": ("Quý", "Quarter"),
    "kind.ongoing": ("Thường xuyên", "Ongoing"),
    "kind.on_request": ("Theo yêu cầu", "On request"),
    "kind.none": ("Không thời hạn", "No deadline"),
    # headings and labels
    "as_of": ("Tính đến ngày {date}", "As of {date}"),
    "plan_header": ("Kế hoạch số {number}", "Plan No. {number}"),
    "rate.completion": ("Tỷ lệ hoàn thành", "Completion rate"),
    "rate.on_time": ("Tỷ lệ đúng hạn", "On-time rate"),
    "rate.none": ("—", "—"),
    "col.task": ("Nhiệm vụ", "Task"),
    "col.milestone": ("Mốc", "Milestone"),
    "col.id": ("Mã", "ID"),
    "col.title": ("Nội dung", "Title"),
    "col.due": ("Hạn", "Due"),
    "col.due_text": ("Thời hạn theo kế hoạch", "Deadline as written"),
    "col.owners": ("Đơn vị thực hiện", "Owners"),
    "col.unit": ("Đơn vị", "Unit"),
    "col.units": ("Đơn vị", "Units"),
    "col.status": ("Tình trạng", "Status"),
    "col.recipient": ("Nơi nhận", "Recipient"),
    "col.kind": ("Loại", "Kind"),
    "col.name": ("Tên", "Name"),
    "col.short": ("Tên ngắn", "Short name"),
    "col.email": ("Thư điện tử", "E-mail"),
    "col.source": ("Vị trí trong văn bản", "Where in the text"),
    "missing": ("Còn thiếu", "Missing"),
    "waits_for": ("Đang chờ", "Waiting for"),
    "inputs_ready": ("Đã đủ báo cáo đầu vào", "All inputs received"),
    "shifted": ("dời từ {date}", "moved from {date}"),
    "extended": ("gia hạn từ {date}", "extended from {date}"),
    "late_by": ("muộn {days} ngày", "{days} days late"),
    "overdue_by": ("quá hạn {days} ngày", "{days} days overdue"),
    "nothing": ("Không có mục nào.", "Nothing to show."),
    # the clerk's views (status, board, overdue, upcoming); `.one` = English singular
    "late_by.one": ("muộn {days} ngày", "{days} day late"),
    "overdue_by.one": ("quá hạn {days} ngày", "{days} day overdue"),
    "view.days": ("{days} ngày", "{days} days"),
    "view.days.one": ("{days} ngày", "{days} day"),
    "view.days_left": ("còn {days} ngày", "{days} days left"),
    "view.days_left.one": ("còn {days} ngày", "{days} day left"),
    "view.due_today": ("hạn hôm nay", "due today"),
    "view.rate": ("{percent} ({done}/{total})", "{percent} ({done}/{total})"),
    "view.count": ("{label}: {count}", "{label}: {count}"),
    "view.within": ("Đến hạn trong {days} ngày tới", "Due in the next {days} days"),
    "view.within.one": ("Đến hạn trong {days} ngày tới", "Due in the next {days} day"),
    "view.left": ("Còn lại", "Left"),
    "view.today": ("hôm nay", "today"),
    "view.extended_to": ("gia hạn đến {date}", "extended to {date}"),
    "view.owner": ("Đơn vị: {unit}", "Unit: {unit}"),
    "view.waiting": ("{id} ({done}/{total})", "{id} ({done}/{total})"),
    "paths.plan": ("Kế hoạch", "Plan"),
    "paths.ledger": ("Sổ theo dõi", "Ledger"),
    "paths.data": ("Thư mục dữ liệu", "Data directory"),
    "paths.bundled": ("(kế hoạch kèm theo)", "(bundled plan)"),
    "paths.unknown": (
        "(chưa xác định: cần đọc được kế hoạch)",
        "(unknown: the plan cannot be read)",
    ),
    "paths.missing": ("(chưa có)", "(not created yet)"),
    # check
    "check.ok": (
        "{plan}: hợp lệ — {tasks} nhiệm vụ, {milestones} mốc, {units} đơn vị, "
        "{obligations} nghĩa vụ; sổ theo dõi: {ledger}",
        "{plan}: valid — {tasks} tasks, {milestones} milestones, {units} units, "
        "{obligations} obligations; ledger: {ledger}",
    ),
    "check.ledger_none": ("chưa có", "none yet"),
    "check.ledger_records": ("{count} bản ghi", "{count} records"),
    "check.ledger_records.one": ("{count} bản ghi", "{count} record"),
    "check.failed": ("{count} lỗi.", "{count} problems."),
    "check.failed.one": ("{count} lỗi.", "{count} problem."),
    # problems in files
    "duplicate_id": ("mã {id!r} bị trùng", "duplicate id {id!r}"),
    "unknown_unit": ("không có đơn vị {id!r}", "unknown unit {id!r}"),
    "unknown_assignee": ("không có đơn vị hay nhóm {id!r}", "unknown unit or group {id!r}"),
    "unknown_milestone": ("không có mốc {id!r}", "unknown milestone {id!r}"),
    "not_assigned": (
        "mốc {milestone!r} không giao cho đơn vị {unit!r}",
        "milestone {milestone!r} is not assigned to unit {unit!r}",
    ),
    "unknown_target": ("không có bản ghi {id!r}", "unknown record {id!r}"),
    "bad_quarter": (
        "quý {quarter} nằm ngoài I–IV (1–4)",
        "quarter {quarter} is outside I–IV (1–4)",
    ),
    "no_assignee": ("mốc không có đơn vị thực hiện", "milestone has no assignee"),
    "input_cycle": ("vòng lặp đầu vào: {cycle}", "input cycle: {cycle}"),
    "not_utf8": (
        "tệp không phải UTF-8 (byte {byte} không hợp lệ); hãy lưu lại với mã hoá UTF-8",
        "file is not UTF-8 (invalid byte {byte}); save it again as UTF-8",
    ),
    "toml_syntax": ("lỗi cú pháp TOML: {detail}", "TOML syntax error: {detail}"),
    "wrong_plan": (
        "sổ theo dõi thuộc kế hoạch {found!r}, không phải {expected!r}",
        "ledger belongs to plan {found!r}, not {expected!r}",
    ),
    # errors (one line each)
    "err.missing_file": (
        "không tìm thấy {what}: {path}",
        "{what} not found: {path}",
    ),
    "err.directory_given": (
        "{path} là một thư mục, không phải {what}",
        "{path} is a directory, not a {what}",
    ),
    "err.what.plan": ("tệp kế hoạch", "plan file"),
    "err.what.ledger": ("sổ theo dõi", "ledger"),
    "err.what.contacts": ("tệp danh bạ", "contacts file"),
    "err.invalid_plan": (
        "kế hoạch có {count} lỗi, đầu tiên: {first} — chạy `kttn check` để xem tất cả",
        "the plan has {count} problems, first: {first} — run `kttn check` to see them all",
    ),
    "err.invalid_plan.one": (
        "kế hoạch có {count} lỗi, đầu tiên: {first} — chạy `kttn check` để xem tất cả",
        "the plan has {count} problem, first: {first} — run `kttn check` to see them all",
    ),
    "err.invalid_ledger": (
        "sổ theo dõi có {count} lỗi, đầu tiên: {first} — tệp được giữ nguyên; "
        "chạy `kttn check` để xem tất cả",
        "the ledger has {count} problems, first: {first} — the file was left as it is; "
        "run `kttn check` to see them all",
    ),
    "err.invalid_ledger.one": (
        "sổ theo dõi có {count} lỗi, đầu tiên: {first} — tệp được giữ nguyên; "
        "chạy `kttn check` để xem tất cả",
        "the ledger has {count} problem, first: {first} — the file was left as it is; "
        "run `kttn check` to see them all",
    ),
    "err.refused_write": (
        "kttn từ chối ghi sổ theo dõi {path} vì nội dung mới không hợp lệ ({first}); "
        "sổ được giữ nguyên — hãy báo lỗi này",
        "kttn refused to write the ledger {path}: the new content is invalid ({first}); "
        "the ledger was left as it is — please report this bug",
    ),
    "err.cannot_read": ("không đọc được {path}: {reason}", "cannot read {path}: {reason}"),
    "err.bad_date": (
        "ngày {value!r} không hợp lệ: dùng YYYY-MM-DD hoặc DD/MM/YYYY (năm 4 chữ số)",
        "invalid date {value!r}: use YYYY-MM-DD or DD/MM/YYYY (4-digit year)",
    ),
    "err.future_date": (
        "ngày {value} ở sau hôm nay ({today}); không thể ghi nhận trước",
        "date {value} is after today ({today}); it cannot be recorded in advance",
    ),
    "err.bad_lang": (
        "ngôn ngữ {value!r} không hỗ trợ: dùng vi hoặc en",
        "unsupported language {value!r}: use vi or en",
    ),
    "err.no_match": (
        "không tìm thấy {what} {query!r}; gần nhất: {candidates}",
        "no {what} matches {query!r}; closest: {candidates}",
    ),
    "err.no_match_listed": (
        "không tìm thấy {what} {query!r}; xem danh sách: {listing}",
        "no {what} matches {query!r}; see the list: {listing}",
    ),
    "err.ambiguous": (
        "{query!r} khớp với nhiều {what}: {candidates}; hãy dùng mã",
        "{query!r} matches several {what}: {candidates}; use the id",
    ),
    "what.unit": ("đơn vị", "unit"),
    "what.milestone": ("mốc", "milestone"),
    "what.any": ("nhiệm vụ, mốc hay đơn vị", "task, milestone or unit"),
    "what.task": ("nhiệm vụ", "task"),
    "err.exists": (
        "{path} đã tồn tại; không ghi đè. Hãy chọn đường dẫn khác",
        "{path} already exists; not overwriting. Choose another path",
    ),
    "err.cannot_write": ("không ghi được {path}: {reason}", "cannot write {path}: {reason}"),
    "err.lock_timeout": (
        "sổ theo dõi {path} đang bị tiến trình khác khoá quá {seconds} giây; hãy thử lại",
        "ledger {path} is locked by another process for over {seconds} s; try again",
    ),
    "err.unexpected": (
        "lỗi không mong đợi: {detail} (chạy lại với --debug để xem chi tiết)",
        "unexpected error: {detail} (run again with --debug for details)",
    ),
    "err.bad_status": (
        "tình trạng {value!r} không hợp lệ; dùng: {choices}",
        "invalid status {value!r}; use: {choices}",
    ),
    "err.not_assigned": (
        "mốc {milestone} không giao cho {unit}; các đơn vị được giao: {assigned}",
        "milestone {milestone} is not assigned to {unit}; assigned: {assigned}",
    ),
    "err.already_submitted": (
        "mốc {milestone} đã có báo cáo của: {units}; dùng --replace để thay thế",
        "milestone {milestone} already has a submission from: {units}; use --replace",
    ),
    "err.no_record": (
        "không có bản ghi {id!r}; xem `kttn log`",
        "no record {id!r}; see `kttn log`",
    ),
    "err.void_a_void": (
        "{id} là bản ghi huỷ, không thể huỷ tiếp",
        "{id} is itself a void and cannot be voided",
    ),
    "err.already_void": ("bản ghi {id} đã bị huỷ", "record {id} is already void"),
    "err.empty_reason": ("cần nêu lý do (--reason)", "a reason is required (--reason)"),
    "err.empty_field": (
        "--title và --by không được để trống",
        "--title and --by must not be empty",
    ),
    "err.not_text": (
        "{what} có byte không phải UTF-8: {value!r}",
        "{what} contains bytes that are not UTF-8: {value!r}",
    ),
    "err.extend_undated": (
        "mốc {milestone} không có thời hạn để gia hạn",
        "milestone {milestone} has no deadline to extend",
    ),
    "err.extend_earlier": (
        "hạn mới {to} của mốc {milestone} phải sau hạn theo kế hoạch {due}",
        "the new deadline {to} of {milestone} must be after the planned {due}",
    ),
    "err.no_ad_hoc_item": (
        "kế hoạch không có mục {task} cho nhiệm vụ đột xuất",
        "the plan has no item {task} for ad-hoc tasks",
    ),
    "err.bad_format": (
        "định dạng {value!r} không hợp lệ; dùng: {choices}",
        "invalid format {value!r}; use: {choices}",
    ),
    "warn.reference_form": (
        "cảnh báo: số văn bản {ref!r} không theo mẫu của Đảng (12-BC/HU) hay Nhà nước "
        "(12/BC-UBND); vẫn ghi nhận",
        "warning: document number {ref!r} follows neither the Party form (12-BC/HU) nor "
        "the State form (12/BC-UBND); recorded anyway",
    ),
    "replaced_reason": (
        "thay bằng báo cáo mới (--replace)",
        "replaced by a new submission (--replace)",
    ),
    "recorded.submission": (
        "Đã ghi {id}: {milestone} — {unit} — nộp ngày {on}: {status}",
        "Recorded {id}: {milestone} — {unit} — received {on}: {status}",
    ),
    "recorded.void": ("Đã ghi {id}: huỷ bản ghi {target}", "Recorded {id}: voided {target}"),
    "recorded.extension": (
        "Đã ghi {id}: gia hạn {milestone} — {unit} đến {to}",
        "Recorded {id}: extended {milestone} — {unit} to {to}",
    ),
    "recorded.task": (
        "Đã ghi {id}: nhiệm vụ đột xuất {milestone} — {title} — hạn {due}",
        "Recorded {id}: ad-hoc task {milestone} — {title} — due {due}",
    ),
    "log.type.submission": ("Nộp báo cáo", "Submission"),
    "log.type.void": ("Huỷ", "Void"),
    "log.type.extension": ("Gia hạn", "Extension"),
    "log.type.task": ("Nhiệm vụ đột xuất", "Ad-hoc task"),
    "col.recorded": ("Ghi lúc", "Recorded"),
    "col.by": ("Người ghi", "By"),
    "col.details": ("Nội dung", "Details"),
    "voided_by": ("đã huỷ bởi {id}", "voided by {id}"),
    "init.done": (
        "Đã tạo {path} từ kế hoạch kèm theo.\n"
        "Hãy đổi `id` trong bảng [plan] ({id}): mỗi id có sổ theo dõi riêng.",
        "Wrote {path} from the bundled plan.\n"
        "Change `id` in its [plan] table ({id}): each plan id has its own ledger.",
    ),
    # export (issue 5)
    "err.option_for_format": (
        "{option} chỉ dùng với --format {format}",
        "{option} applies only to --format {format}",
    ),
    "err.bad_delimiter": (
        "dấu phân cách {value!r} không hợp lệ: cần đúng một ký tự (hoặc `tab`), "
        "không phải dấu nháy kép hay xuống dòng",
        "invalid delimiter {value!r}: use one character (or `tab`), "
        "not a double quote or a line break",
    ),
    "ics.task": ("Nhiệm vụ {id}: {title}", "Task {id}: {title}"),
    "ics.planned": ("hạn theo kế hoạch {date}", "planned due date {date}"),
    "ics.submitted": ("nộp ngày {date}", "submitted on {date}"),
    "ics.alarm": ("Sắp đến hạn: {title}", "Due soon: {title}"),
    # remind (issue 5): settings and SMTP failures
    "err.no_recipients": (
        "không có nơi nhận: dùng --to ĐỊA_CHỈ và/hoặc --contacts TỆP",
        "no one to send to: use --to ADDRESS and/or --contacts FILE",
    ),
    "err.bad_address": ("địa chỉ thư {value!r} không hợp lệ", "invalid e-mail address {value!r}"),
    "err.smtp_missing": (
        "chưa đặt {name}, cần để gửi thư (xem README, mục cron)",
        "{name} is not set; it is needed to send mail (see the README, cron section)",
    ),
    "err.bad_setting": (
        "{name}={value!r} không hợp lệ: {hint}",
        "invalid {name}={value!r}: {hint}",
    ),
    "hint.port": ("cần một số cổng 1–65535", "use a port number 1–65535"),
    "hint.tls": ("dùng starttls, ssl hoặc none", "use starttls, ssl or none"),
    "hint.timeout": ("cần số giây lớn hơn 0", "use a number of seconds above 0"),
    "hint.from": ("cần dạng ten@mien hoặc Tên <ten@mien>", "use name@domain or Name <name@domain>"),
    "err.smtp_tls_none_remote": (
        "KTTN_SMTP_TLS=none chỉ dùng với máy chủ trên máy này (localhost), không với {host}: "
        "thư và mật khẩu sẽ đi qua mạng không mã hoá",
        "KTTN_SMTP_TLS=none is only for a server on this machine (localhost), not {host}: "
        "mail and password would cross the network unencrypted",
    ),
    "err.smtp_password_both": (
        "chỉ đặt một trong KTTN_SMTP_PASSWORD và KTTN_SMTP_PASSWORD_FILE",
        "set only one of KTTN_SMTP_PASSWORD and KTTN_SMTP_PASSWORD_FILE",
    ),
    "err.smtp_password_without_user": (
        "có mật khẩu SMTP nhưng chưa đặt KTTN_SMTP_USER",
        "an SMTP password is set but KTTN_SMTP_USER is not",
    ),
    "err.smtp_password_file": (
        "không đọc được KTTN_SMTP_PASSWORD_FILE {path}: {reason}",
        "cannot read KTTN_SMTP_PASSWORD_FILE {path}: {reason}",
    ),
    "err.smtp_unreachable": (
        "không kết nối được máy chủ SMTP {server}: {reason}; hãy thử lại sau",
        "cannot reach the SMTP server {server}: {reason}; try again later",
    ),
    "err.smtp_timeout": (
        "máy chủ SMTP {server} không trả lời trong {seconds} giây; hãy thử lại sau",
        "the SMTP server {server} did not answer within {seconds} s; try again later",
    ),
    "err.smtp_lost": (
        "mất kết nối với máy chủ SMTP {server}: {reason}; hãy thử lại sau",
        "lost the connection to the SMTP server {server}: {reason}; try again later",
    ),
    "err.smtp_no_starttls": (
        "máy chủ SMTP {server} không hỗ trợ STARTTLS; nếu máy chủ dùng TLS ngay từ đầu "
        "(cổng 465) hãy đặt KTTN_SMTP_TLS=ssl",
        "the SMTP server {server} does not offer STARTTLS; if it speaks TLS from the start "
        "(port 465), set KTTN_SMTP_TLS=ssl",
    ),
    "err.smtp_cert": (
        "không tin cậy được chứng chỉ của máy chủ SMTP {server} ({reason}); không đăng nhập, "
        "không gửi thư nào. Với CA nội bộ, đặt SSL_CERT_FILE tới tệp chứng chỉ CA",
        "the SMTP server {server} has an untrusted certificate ({reason}); nothing was sent "
        "and no login was tried. For a private CA, point SSL_CERT_FILE to its certificate",
    ),
    "err.smtp_tls": (
        "không thiết lập được kết nối TLS với máy chủ SMTP {server}: {reason}",
        "TLS with the SMTP server {server} failed: {reason}",
    ),
    "err.smtp_auth": (
        "máy chủ SMTP {server} từ chối đăng nhập của {user}: {reply}",
        "the SMTP server {server} refused the login of {user}: {reply}",
    ),
    "err.smtp_no_auth": (
        "máy chủ SMTP {server} không cho đăng nhập (không có AUTH, hoặc chỉ sau TLS)",
        "the SMTP server {server} offers no login (no AUTH, or only after TLS)",
    ),
    "err.smtp_sender": (
        "máy chủ SMTP {server} từ chối địa chỉ gửi {sender}: {reply}; kiểm tra KTTN_MAIL_FROM",
        "the SMTP server {server} refused the sender {sender}: {reply}; check KTTN_MAIL_FROM",
    ),
    "err.smtp_temporary": (
        "máy chủ SMTP {server} tạm thời không nhận thư gửi {to}: {reply}; hãy thử lại sau",
        "the SMTP server {server} deferred the message to {to}: {reply}; try again later",
    ),
    "err.smtp_rejected": (
        "máy chủ SMTP {server} từ chối thư gửi {to}: {reply}",
        "the SMTP server {server} rejected the message to {to}: {reply}",
    ),
    "err.smtp_failed": (
        "{failed}/{total} thư không gửi được; lỗi đầu tiên: {first}",
        "{failed} of {total} messages were not sent; first error: {first}",
    ),
    # remind: the contacts file
    "err.invalid_contacts": (
        "tệp danh bạ có {count} lỗi, đầu tiên: {first}",
        "the contacts file has {count} problems, first: {first}",
    ),
    "err.invalid_contacts.one": (
        "tệp danh bạ có {count} lỗi, đầu tiên: {first}",
        "the contacts file has {count} problem, first: {first}",
    ),
    "contacts_not_address": (
        "cần một địa chỉ thư hoặc một danh sách địa chỉ",
        "expected an e-mail address or a list of them",
    ),
    "contacts_bad_address": (
        "địa chỉ thư {value!r} không hợp lệ",
        "invalid e-mail address {value!r}",
    ),
    # remind: what it says
    "remind.nothing": (
        "Không có mục quá hạn hay sắp đến hạn tính đến ngày {date}; không gửi thư nào.",
        "Nothing overdue or due soon as of {date}; no mail sent.",
    ),
    "remind.sent": ("Đã gửi: {to} ({count} mục)", "Sent: {to} ({count} items)"),
    "remind.sent.one": ("Đã gửi: {to} ({count} mục)", "Sent: {to} ({count} item)"),
    "remind.no_address": (
        "Đơn vị có mục cần nhắc nhưng chưa có địa chỉ thư: {units}",
        "Units with items to chase but no address: {units}",
    ),
    "remind.dry_run": (
        "Chạy thử: {count} thư, không thư nào được gửi.",
        "Dry run: {count} messages, none sent.",
    ),
    "remind.dry_run.one": (
        "Chạy thử: {count} thư, không thư nào được gửi.",
        "Dry run: {count} message, not sent.",
    ),
    "mail.subject": ("Nhắc hạn {number} {date}", "Reminder {number} {date}"),
    "mail.summary_intro": (
        "Tổng hợp nhiệm vụ quá hạn và sắp đến hạn của {plan}, tính đến ngày {date}.",
        "Overdue and due-soon items of {plan}, as of {date}.",
    ),
    "mail.unit_intro": (
        "Kính gửi {unit}: các nhiệm vụ quá hạn và sắp đến hạn của đơn vị theo {plan}, "
        "tính đến ngày {date}.",
        "To {unit}: your overdue and due-soon items under {plan}, as of {date}.",
    ),
    "mail.counts": (
        "Quá hạn: {overdue}; sắp đến hạn: {due_soon}.",
        "Overdue: {overdue}; due soon: {due_soon}.",
    ),
    "mail.due": ("hạn {date}", "due {date}"),
    "mail.send_to": ("gửi {unit}", "to {unit}"),
    "mail.no_address": (
        "Các đơn vị sau chưa có địa chỉ thư nên chưa được gửi thư riêng: {units}.",
        "These units have no address and were not sent a message of their own: {units}.",
    ),
    "mail.footer": (
        "Thư tự động do kttn gửi; vui lòng không trả lời thư này.",
        "Sent automatically by kttn; please do not reply to this message.",
    ),
}


def say(key: str, lang: Lang, /, **params: Any) -> str:
    """The message `key` in `lang`, formatted with `params`."""
    vi, en = MESSAGES[key]
    template = en if lang == "en" else vi
    return template.format(**params) if params else template


def say_n(key: str, lang: Lang, count: int, /, **params: Any) -> str:
    """`say` for a message about `count` things: `key.one` when count is 1 and it exists
    (English "1 day"; Vietnamese has no plural)."""
    one = f"{key}.one"
    return say(one if count == 1 and one in MESSAGES else key, lang, **params)


def status_label(code: str, lang: Lang) -> str:
    return say(f"status.{code}", lang)


def time_left(days_overdue: int | None, days_left: int | None, lang: Lang) -> str:
    """`quá hạn 3 ngày` / `3 days overdue`, `hạn hôm nay` / `due today`, or
    `còn 4 ngày` / `4 days left`: how an open obligation stands, in one line of text."""
    if days_overdue is not None:
        return say_n("overdue_by", lang, days_overdue, days=days_overdue)
    if not days_left:
        return say("view.due_today", lang)
    return say_n("view.days_left", lang, days_left, days=days_left)
