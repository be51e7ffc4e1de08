"""Nothing clinical reaches a lock screen: every template, in every locale, rendered into the e-mail and the push
payload that would really be sent, with sample data full of clinical content - none of it may come through."""

import json
import re
from email import message_from_bytes
from email.policy import default
from uuid import uuid4

import pytest

from accord.notifications.adapters.email import build_email
from accord.notifications.adapters.push import push_payload
from accord.notifications.domain.delivery import Outgoing
from accord.notifications.domain.templates import FRAMES, LOCALES, PLACEHOLDERS, TEXTS, TemplateCode, render

CLINICAL_SAMPLE = {
    "goal_wording": "Stop cutting myself before my GCSEs",
    "description": "Go to school three days a week without a panic attack",
    "goal_title": "Sleep before midnight",
    "score": "PHQ-9 total 23",
    "total": "total of 23 (severe)",
    "rating": "7 out of 10",
    "value": "4 panic attacks per week",
    "journal": "I felt like nobody would notice if I disappeared",
    "note": "Discussed medication with GP; sertraline 50mg",
    "notes": "Mum worried about her drinking",
    "diagnosis": "Generalised anxiety disorder",
    "questionnaire": "Thoughts that you would be better off dead",
    "answers": "item 9: nearly every day",
    "instrument": "GAD-7",
    "severity": "moderately severe",
    "category_code": "self_harm_reduction",
    "unit_code": "panic_attacks",
    "name": "Alex Morgan",
    "client_name": "Alex Morgan",
    "reason": "worsening",
}

# Words that would make a message clinical even if no sample value came through verbatim (English and Welsh).
CLINICAL_VOCABULARY = [
    "phq", "gad-7", "gad7", "score", "scored", "self-harm", "self harm", "suicid", "depress", "anxi", "panic",
    "diagnos", "journal", "questionnaire", "severe", "medication", "worsening", "rating", "therapy", "mental",
    "iselder", "pryder", "gorbryder", "niweid", "hunanladd", "sgôr", "meddyginiaeth", "therapi",
]  # fmt: skip

CASES = [(code, locale) for code in TemplateCode for locale in LOCALES]


def _sample_values(link: str) -> dict[str, object]:
    return {**CLINICAL_SAMPLE, "link": link, "count": 3}


def _everything_sent(code: TemplateCode, locale: str) -> str:
    link = f"https://app.accord.example/goals/{uuid4()}"
    message = render(code, locale, _sample_values(link))
    outgoing = Outgoing(message, uuid4())
    email = build_email(outgoing, to="person@example.org", sender="no-reply@accord.example")
    parsed = message_from_bytes(email.as_bytes(), policy=default)
    email_text = str(parsed["Subject"]) + "\n" + parsed.get_content()
    push = json.loads(push_payload(message, str(outgoing.message_id)))
    return "\n".join([email_text, push["title"], push["body"], push["url"], message.title, message.body])


@pytest.mark.parametrize(("code", "locale"), CASES, ids=[f"{c.value}-{loc}" for c, loc in CASES])
def test_no_clinical_content_in_any_template_in_any_locale(code: TemplateCode, locale: str) -> None:
    sent = _everything_sent(code, locale).lower()
    for value in CLINICAL_SAMPLE.values():
        assert value.lower() not in sent, f"{code}/{locale} leaks sample data"
    for word in CLINICAL_VOCABULARY:
        assert word not in sent, f"{code}/{locale} uses the clinical word {word!r}"


def test_templates_name_no_placeholder_but_link_and_count() -> None:
    texts = [text for by_locale in TEXTS.values() for t in by_locale.values() for text in (t.title, t.body)]
    texts += [text for f in FRAMES.values() for text in (f.greeting, f.open_link, f.footer)]
    used = {m for text in texts for m in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text)}
    assert used <= PLACEHOLDERS


def test_every_template_has_every_locale_and_links_into_the_app() -> None:
    for code in TemplateCode:
        assert set(TEXTS[code]) == set(LOCALES), code
        for locale in LOCALES:
            message = render(code, locale, {"link": "https://app.example/x", "count": 1})
            assert "https://app.example/x" in message.email_text
