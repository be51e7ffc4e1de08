from accord.notifications.domain.templates import TemplateCode, render, resolve_locale


def test_welsh_is_chosen_per_recipient_and_falls_back_to_english() -> None:
    assert resolve_locale("cy") == "cy"
    assert resolve_locale("cy-GB") == "cy"
    assert resolve_locale("CY_gb") == "cy"
    assert resolve_locale("fr-FR") == "en"
    assert resolve_locale("fr", default="cy") == "cy"
    assert resolve_locale(None) == "en"


def test_a_welsh_message_is_in_welsh() -> None:
    english = render(TemplateCode.MILESTONE_CELEBRATION, "en", {"link": "https://a/b"})
    welsh = render(TemplateCode.MILESTONE_CELEBRATION, "cy-GB", {"link": "https://a/b"})
    assert welsh.locale == "cy" and english.locale == "en"
    assert "Da iawn" in welsh.body and "Helo" in welsh.email_text
    assert "Well done" in english.body


def test_the_digest_counts_its_updates() -> None:
    assert "5" in render(TemplateCode.DIGEST, "en", {"link": "https://a/inbox", "count": 5}).body
