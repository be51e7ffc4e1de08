import json

import pytest
import structlog

from accord.shared.logging import configure_logging


def test_clinical_fields_never_reach_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("example", "INFO", json=True)
    structlog.get_logger("t").info(
        "goal saved",
        goal_id="g-1",
        description="I want to stop panicking",
        note="felt awful",
        score=17,
        correlation_id="c-1",
    )
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["goal_id"] == "g-1" and line["correlation_id"] == "c-1" and line["service"] == "example"
    assert line["description"] == line["note"] == line["score"] == "[redacted]"
    assert "panicking" not in json.dumps(line)
