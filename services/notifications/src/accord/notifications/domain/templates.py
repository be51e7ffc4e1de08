"""The words of every message, per locale, and nothing clinical in any of them.

Messages show on lock screens and in shared inboxes, so they carry no goal wording, score, journal or note text,
diagnosis or questionnaire content: neutral text and a link into the app, which asks the person to sign in.
A template may use only `$link` and `$count`; `test_clinical_content` renders every template in every locale
with clinical-looking sample data and fails if any of it comes through.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from string import Template


class TemplateCode(StrEnum):
    GOAL_WAITING_FOR_VIEW = "goal_waiting_for_view"
    GOAL_AGREED = "goal_agreed"
    MILESTONE_CELEBRATION = "milestone_celebration"
    TARGET_CELEBRATION = "target_celebration"
    CLIENT_UPDATE = "client_update"
    REVIEW_SUGGESTED = "review_suggested"
    SAFETY_SIGNAL = "safety_signal"
    CHECK_IN_REMINDER = "check_in_reminder"
    SESSION_FEEDBACK = "session_feedback"
    DIGEST = "digest"
    EMAIL_CONFIRMATION = "email_confirmation"
    """Sent by the API, not as a delivery: the one message that goes to an address before it is confirmed."""


LOCALES = ("en", "cy")
FALLBACK_LOCALE = "en"
PLACEHOLDERS = frozenset({"link", "count"})


@dataclass(frozen=True)
class Text:
    title: str
    """E-mail subject, push title, inbox heading."""
    body: str


@dataclass(frozen=True)
class Frame:
    """What surrounds every e-mail: greeting, the link, and why the person gets it."""

    greeting: str
    open_link: str
    footer: str


FRAMES: dict[str, Frame] = {
    "en": Frame(
        "Hello,",
        "Open Accord: $link",
        "You are receiving this because of your notification settings in Accord. You can change them in the app.",
    ),
    "cy": Frame(
        "Helo,",
        "Agor Accord: $link",
        "Rydych yn cael hwn oherwydd eich gosodiadau hysbysiadau yn Accord. Gallwch eu newid yn yr ap.",
    ),
}

TEXTS: dict[TemplateCode, dict[str, Text]] = {
    TemplateCode.GOAL_WAITING_FOR_VIEW: {
        "en": Text(
            "Something is waiting for you in Accord",
            "Something in Accord is waiting for your view. Open the app when you are ready.",
        ),
        "cy": Text(
            "Mae rhywbeth yn aros amdanoch yn Accord",
            "Mae rhywbeth yn Accord yn aros am eich barn. Agorwch yr ap pan fyddwch yn barod.",
        ),
    },
    TemplateCode.GOAL_AGREED: {
        "en": Text("An agreement in Accord", "Something has been agreed in Accord. Open the app to see it."),
        "cy": Text("Cytundeb yn Accord", "Mae rhywbeth wedi'i gytuno yn Accord. Agorwch yr ap i'w weld."),
    },
    TemplateCode.MILESTONE_CELEBRATION: {
        "en": Text("Something to celebrate in Accord", "There is good news waiting for you in Accord. Well done!"),
        "cy": Text("Rhywbeth i'w ddathlu yn Accord", "Mae newyddion da yn aros amdanoch yn Accord. Da iawn!"),
    },
    TemplateCode.TARGET_CELEBRATION: {
        "en": Text("Something big to celebrate in Accord", "There is great news waiting for you in Accord. Well done!"),
        "cy": Text("Rhywbeth mawr i'w ddathlu yn Accord", "Mae newyddion gwych yn aros amdanoch yn Accord. Da iawn!"),
    },
    TemplateCode.CLIENT_UPDATE: {
        "en": Text("An update in Accord", "There is a new update for one of your clients in Accord."),
        "cy": Text("Diweddariad yn Accord", "Mae diweddariad newydd i un o'ch cleientiaid yn Accord."),
    },
    TemplateCode.REVIEW_SUGGESTED: {
        "en": Text("An update in Accord", "An item in Accord may be worth a look at your next session."),
        "cy": Text("Diweddariad yn Accord", "Efallai y byddai'n werth edrych ar eitem yn Accord yn eich sesiwn nesaf."),
    },
    TemplateCode.SAFETY_SIGNAL: {
        "en": Text(
            "Please open Accord now",
            "Something in Accord needs your attention now. Please open the app as soon as you can.",
        ),
        "cy": Text(
            "Agorwch Accord nawr",
            "Mae angen eich sylw ar rywbeth yn Accord nawr. Agorwch yr ap cyn gynted ag y gallwch.",
        ),
    },
    TemplateCode.CHECK_IN_REMINDER: {
        "en": Text("A moment for Accord?", "When you are ready, take a moment to add an update in Accord."),
        "cy": Text("Munud i Accord?", "Pan fyddwch yn barod, cymerwch funud i ychwanegu diweddariad yn Accord."),
    },
    TemplateCode.SESSION_FEEDBACK: {
        "en": Text(
            "How was it for you?",
            "You can tell us how your session went. It takes under a minute, and only you and your worker see it.",
        ),
        "cy": Text(
            "Sut oedd e i chi?",
            "Gallwch ddweud wrthym sut aeth eich sesiwn. Mae'n cymryd llai na munud, a dim ond chi a'ch gweithiwr"
            " sy'n ei weld.",
        ),
    },
    TemplateCode.DIGEST: {
        "en": Text("Your updates in Accord", "New updates in Accord: $count."),
        "cy": Text("Eich diweddariadau yn Accord", "Diweddariadau newydd yn Accord: $count."),
    },
    TemplateCode.EMAIL_CONFIRMATION: {
        "en": Text(
            "Confirm your e-mail address for Accord",
            "This address was added to an Accord account. Open the link below and sign in to confirm it is yours. "
            "Until then, Accord sends nothing here. If you did not add it, ignore this message.",
        ),
        "cy": Text(
            "Cadarnhewch eich cyfeiriad e-bost ar gyfer Accord",
            "Cafodd y cyfeiriad hwn ei ychwanegu at gyfrif Accord. Agorwch y ddolen isod a mewngofnodwch i gadarnhau "
            "mai chi piau. Tan hynny, ni fydd Accord yn anfon dim yma. Os nad chi a'i ychwanegodd, anwybyddwch y "
            "neges hon.",
        ),
    },
}


@dataclass(frozen=True)
class RenderedMessage:
    template: TemplateCode
    locale: str
    title: str
    body: str
    link: str
    email_text: str


def resolve_locale(requested: str | None, default: str = FALLBACK_LOCALE) -> str:
    """The person's locale if we have it (`cy-GB` -> `cy`), else the service default, else English."""
    for candidate in (requested, default):
        if candidate:
            language = candidate.strip().lower().replace("_", "-").split("-")[0]
            if language in LOCALES:
                return language
    return FALLBACK_LOCALE


def render(template: TemplateCode, locale: str, values: Mapping[str, object]) -> RenderedMessage:
    """`values` must hold `link` (and `count` for a digest). Anything else in it is ignored by construction:
    the texts name no other placeholder."""
    locale = resolve_locale(locale)
    text, frame = TEXTS[template][locale], FRAMES[locale]
    title = Template(text.title).substitute(values)
    body = Template(text.body).substitute(values)
    link = str(values["link"])
    email_text = "\n\n".join([frame.greeting, body, Template(frame.open_link).substitute(values), frame.footer])
    return RenderedMessage(template, locale, title, body, link, email_text + "\n")
