"""``kefu qa check FILE|-``: the JSON result on standard output, bad input exits 2 (QA-3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

TRANSCRIPT = {
    "channel": "chat",
    "language": "zh",
    "segments": [
        {"speaker": "agent", "text": "您好，很高兴为您服务。"},
        {"speaker": "customer", "text": "我的退款还没到。"},
        {"speaker": "agent", "text": "这个不归我们管,您自己去问财务"},
    ],
}


def run_kefu(tmp_path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "KEFU_DATA_DIR": str(tmp_path),
        "KEFU_ENV": "development",
    }
    return subprocess.run(
        [sys.executable, "-m", "kefu", "qa", "check", *args],
        input=stdin,
        env=environment,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_check_from_standard_input(tmp_path):
    completed = run_kefu(tmp_path, "-", stdin=json.dumps(TRANSCRIPT).encode())
    assert completed.returncode == 0, completed.stderr
    output = completed.stdout.decode("utf-8")
    assert "我会帮您转接至相关同事" in output  # ensure_ascii=False: characters, not \\u escapes
    result = json.loads(output)
    shirking = [f for f in result["findings"] if f["category"] == "shirking"]
    assert shirking[0]["segment"] == 2 and shirking[0]["standard"] == "SCR-2"
    assert set(result["dimensions"]) == {"process", "communication", "script", "result"}
    assert isinstance(result["score"], int | float)


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b'{"channel": "chat", "segments": [', "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (
            b'{"channel": "chat", "segments": [{"speaker": "bot", "text": "x"}]}',
            "segments.0.speaker",
        ),
        (b"[1, 2]", "invalid transcript"),
    ],
)
def test_bad_input_is_reported_with_exit_code_2(tmp_path, stdin, message):
    completed = run_kefu(tmp_path, "-", stdin=stdin)
    assert completed.returncode == 2
    assert completed.stdout == b""
    assert message in completed.stderr.decode("utf-8")
    assert b"Traceback" not in completed.stderr


def test_missing_file_exits_2(tmp_path):
    completed = run_kefu(tmp_path, str(tmp_path / "absent.json"))
    assert completed.returncode == 2 and b"cannot read" in completed.stderr


@pytest.mark.django_db  # the rules are the standard profile's (QA-3)
def test_check_from_a_file(tmp_path, capsys):
    path = tmp_path / "transcript.json"
    path.write_text(json.dumps(TRANSCRIPT, ensure_ascii=False), encoding="utf-8")
    call_command("qa", "check", str(path))
    result = json.loads(capsys.readouterr().out)
    assert [(f["category"], f["segment"]) for f in result["findings"]] == [
        ("shirking", 2),
        ("missing_satisfaction_check", 2),  # one finding for the three CLS-1 parts
        ("missing_closing", 2),
        ("missing_restatement", None),
    ]


def test_bad_file_exits_2(tmp_path, capsys):
    path = tmp_path / "transcript.json"
    path.write_text('{"channel": ""}', encoding="utf-8")
    with pytest.raises(SystemExit) as caught:
        call_command("qa", "check", str(path))
    assert caught.value.code == 2
    assert "channel" in capsys.readouterr().err
