"""Reminder e-mail: compose and send, one module per job.

- `addresses`: the mailboxes kttn accepts (`name@domain`, `Tên <name@domain>`) and how
  they go into a header;
- `settings`: the SMTP settings in force, checked (exit 78 naming the bad one);
- `message`: the words of each reminder (through `render.describe`) and its MIME form;
- `smtp`: sending over verified TLS, each failure mapped to its exit code.

Composing is pure (plan, statuses and dates in, texts out); only `smtp` opens a
connection. Nothing here reads the environment or imports `kttn_cli.storage`: the CLI
resolves the settings and loads the files.
"""
