"""``kefu assist eval`` on small TSV files written to tmp_path (issue 8)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

INTENT_ROWS = [
    ("我要退款", "refund"),
    ("怎么申请退款", "refund"),
    ("退款什么时候到账", "refund"),
    ("申请退货退款", "refund"),
    ("忘记密码了", "password"),
    ("怎么修改密码", "password"),
    ("密码重置", "password"),
    ("登录密码找回", "password"),
    ("今天天气怎么样", "oos"),
    ("给我讲个笑话", "oos"),
    ("北京有什么好玩的", "oos"),
]


def _write(path: Path, header: str, rows: list[tuple[str, ...]]) -> Path:
    path.write_text(header + "\n" + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _run(*args: str) -> dict:
    out = StringIO()
    call_command("assist", "eval", *args, stdout=out)
    return json.loads(out.getvalue())


def test_eval_intent_prints_json(tmp_path: Path) -> None:
    rows = [r for r in INTENT_ROWS if r[1] != "oos"]
    train = _write(tmp_path / "train.tsv", "text\tlabel", rows)
    test = _write(tmp_path / "test.tsv", "text\tlabel", [("我想退款", "refund")])
    result = _run("--task", "intent", "--train", str(train), "--test", str(test))
    assert {"accuracy", "n", "train_seconds", "p95_ms"} <= result.keys()
    assert result["n"] == 1 and result["accuracy"] == 1.0


def test_eval_faq_reports_scope_metrics(tmp_path: Path) -> None:
    train = _write(tmp_path / "train.tsv", "text\tlabel", INTENT_ROWS)
    test = _write(
        tmp_path / "test.tsv", "text\tlabel", [("怎么申请退款", "refund"), ("量子力学", "oos")]
    )
    result = _run("--task", "faq", "--train", str(train), "--test", str(test))
    assert {"accuracy_in_scope", "oos_recall", "answered_precision", "n", "p95_ms"} <= set(result)
    assert {"train_seconds"} <= result.keys()


def test_eval_pairs(tmp_path: Path) -> None:
    rows = []
    for a, b in [
        ("怎么申请退款", "今天天气好"),
        ("忘记密码了", "推荐电影"),
        ("快递到哪了", "几点了"),
    ]:
        rows += [(a, "请问" + a, "1"), (a, b, "0"), (a, a + "呢", "1"), (b, a, "0")]
    train = _write(tmp_path / "train.tsv", "text_a\ttext_b\tlabel", rows)
    result = _run("--task", "pairs", "--train", str(train), "--test", str(train))
    assert {"accuracy", "n", "train_seconds", "p95_ms"} <= result.keys()


@pytest.mark.parametrize(
    ("content", "task", "message"),
    [
        ("", "intent", "empty"),
        ("text\tcategory\n我要退款\trefund\n", "intent", "missing column"),
        ("text\tlabel\n", "faq", "no data rows"),
        ("text_a\ttext_b\tlabel\na\tb\tyes\n", "pairs", "0 or 1"),
        ("text\tlabel\na\tb\n", "sentiment", "unknown task"),
    ],
)
def test_eval_bad_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, task: str, message: str
) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text(content, encoding="utf-8")
    err = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command(
            "assist", "eval", "--task", task, "--train", str(bad), "--test", str(bad), stderr=err
        )
    assert exc.value.code == 2
    assert message in err.getvalue()


def test_eval_missing_file_exits_2(tmp_path: Path) -> None:
    err = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command(
            "assist",
            "eval",
            "--task",
            "intent",
            "--train",
            str(tmp_path / "no.tsv"),
            "--test",
            str(tmp_path / "no.tsv"),
            stderr=err,
        )
    assert exc.value.code == 2 and "cannot read" in err.getvalue()
