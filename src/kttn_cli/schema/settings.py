"""The settings file (`config.toml` in the platform's config directory).

Strict like the plan: an unknown key or a wrong type is a located problem. The SMTP
password never goes here (only the path of a file that holds it).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kttn_cli.schema.fields import Strict, Text


class SmtpSettings(Strict):
    host: Text | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    tls: Literal["starttls", "ssl", "none"] | None = None
    user: Text | None = None
    password_file: Text | None = None
    timeout: float | int | None = Field(default=None, gt=0, le=86400)
    sender: Text | None = Field(default=None, alias="from")


class DocumentSettings(Strict):
    """What the office's documents (`kttn report`, `kttn letters`) need and the plan does
    not say; what is not given is left as dotted blanks in the documents."""

    office: Text | list[Text] | None = Field(
        default=None,
        description="The issuing office's header, line by line: the body above it first",
    )
    symbol: Text | None = Field(
        default=None, description="The office's abbreviation in document numbers: 12-BC/«symbol»"
    )
    place: Text | None = Field(default=None, description="The place in the place-and-date line")
    signer: Text | None = Field(default=None, description="Who signs")
    signer_title: Text | list[Text] | None = Field(
        default=None, description="The signer's authority and title, line by line"
    )


class SettingsFile(Strict):
    """kttn's settings; the environment and the command line override each value."""

    plan: Text | None = Field(default=None, description="Default plan: a file or a plan id")
    lang: Literal["vi", "en"] | None = None
    data_dir: Text | None = None
    warn_days: int | None = Field(default=None, ge=0, le=366)
    pager: Text | None = None
    lock_timeout: float | int | None = Field(default=None, ge=0, le=3600)
    user: Text | None = None
    contacts: Text | None = None
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)

    def flat(self) -> dict[str, object]:
        """Values by setting name (`smtp.host` → `smtp_host`), set ones only."""
        out: dict[str, object] = {}
        for name, value in self.model_dump(exclude={"smtp", "documents"}).items():
            if value is not None:
                out[name] = value
        for name, value in self.smtp.model_dump().items():
            if value is not None:
                out[f"smtp_{name}"] = value
        for name, value in self.documents.model_dump().items():
            if value is not None:
                out[f"documents_{name}"] = value
        return out
