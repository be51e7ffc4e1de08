"""The campaign's mail server: the project's local SMTP sink (aiosmtpd, as `scripts/up` runs it), keeping every
message it takes as a file in a Maildir, in a process of its own that no fault touches. The notifications workers
send to it; the campaign reads the confirmation links from it and counts what arrived afterwards."""

import mailbox
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from accord.devtools.infra.ports import free_port
from accord.devtools.infra.services import mail_sink_argv, spawn

_LINK = re.compile(r"/confirm-email\?token=(\S+)")


@dataclass(frozen=True)
class Received:
    message_id: str
    to: str
    token: str | None
    """The confirmation link's token, when the message is a confirmation e-mail."""


@dataclass
class MailSink:
    home: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def maildir(self) -> Path:
        return self.home / "maildir"

    def start(self, env: dict[str, str], timeout: float = 30.0) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(self.maildir, create=True)
        self.process = spawn(mail_sink_argv(f"127.0.0.1:{self.port}", self.maildir), env, self.home / "mail.log")
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"the mail sink did not start: see {self.home / 'mail.log'}") from None
                time.sleep(0.1)

    def received(self) -> Iterator[Received]:
        for message in mailbox.Maildir(self.maildir, create=False):
            body = message.get_payload(decode=True)
            text = body.decode(message.get_content_charset() or "utf-8") if isinstance(body, bytes) else ""
            link = _LINK.search(text)
            yield Received(
                str(message["Message-ID"]).strip(), str(message["To"]), unquote(link.group(1)) if link else None
            )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
