"""E-mail over SMTP (aiosmtplib): plain text, neutral wording, a deterministic Message-ID."""

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from accord.notifications.domain.contact_points import ContactPoint
from accord.notifications.domain.delivery import Outgoing, PermanentFailure, TransientFailure
from accord.notifications.settings import Settings


def build_email(outgoing: Outgoing, *, to: str, sender: str) -> EmailMessage:
    message = outgoing.message
    email = EmailMessage()
    email["From"] = sender
    email["To"] = to
    email["Subject"] = message.title
    # The same delivery always gets the same Message-ID, so a copy resent after a crash is recognisably the same.
    email["Message-ID"] = f"<{outgoing.message_id}@{sender.rpartition('@')[2]}>"
    email["Date"] = formatdate(usegmt=True)
    email["Content-Language"] = message.locale
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    email.set_content(message.email_text)
    return email


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, to: ContactPoint, outgoing: Outgoing) -> None:
        s = self.settings
        email = build_email(outgoing, to=to.address, sender=s.smtp_sender)
        try:
            await aiosmtplib.send(
                email,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                use_tls=s.smtp_use_tls,
                start_tls=s.smtp_start_tls,
                timeout=s.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = sorted({r.code for r in exc.recipients})
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"smtp recipient refused {codes}", contact_point_gone=True) from None
            raise TransientFailure(f"smtp recipient deferred {codes}") from None
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= 500:
                raise PermanentFailure(f"smtp {exc.code}") from None
            raise TransientFailure(f"smtp {exc.code}") from None
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise TransientFailure(f"smtp unavailable: {type(exc).__name__}") from None
