"""The rule engine (SCR-2…5, HND-1, HND-9, CLS-1, CLS-2, QA-1): every rule kind, speaker scoping
and the score arithmetic, on transcripts written here."""

from __future__ import annotations

import copy

import pytest

from kefu.quality.defaults import DEFAULT_RULES
from kefu.quality.engine import (
    RuleSet,
    RuleSetError,
    Segment,
    TranscriptError,
    characters_per_minute,
    check,
    default_rule_set,
    emotion_trigger,
    rule_set_from_data,
    score_findings,
)

GREETING = "您好，很高兴为您服务，请问有什么可以帮您？"
RESTATEMENT = "您的意思是退款还没有到账，对吗？"
CLOSING = [
    "已经为您处理好了，请问还有其他问题吗？",
    "请问您对本次服务是否满意？",
    "感谢您的来电，祝您生活愉快，再见！",
]


def clean_chat(*middle: tuple[str, str]) -> dict:
    """A chat that follows every required phrase; ``middle`` turns go after the restatement."""
    turns = [
        ("agent", GREETING),
        ("customer", "我上周申请的退款还没到账。"),
        ("agent", RESTATEMENT),
        ("customer", "对的。"),
        *middle,
        ("agent", CLOSING[0]),
        ("customer", "没有了。"),
        ("agent", CLOSING[1]),
        ("customer", "满意。"),
        ("agent", CLOSING[2]),
    ]
    return {
        "channel": "chat",
        "language": "zh",
        "segments": [{"speaker": who, "text": text} for who, text in turns],
    }


def categories(result: dict) -> list[str]:
    return [finding["category"] for finding in result["findings"]]


def test_clean_transcript_has_no_findings_and_full_score():
    result = check(clean_chat(("agent", "好的，我马上为您查询一下，请您稍等。")))
    assert result["findings"] == []
    assert result["dimensions"] == {
        "process": 100,
        "communication": 100,
        "script": 100,
        "result": 100,
    }
    assert result["score"] == 100


@pytest.mark.parametrize(
    ("text", "category", "evidence"),
    [
        ("这不是我的职责，你找XX部门吧。", "shirking", "这不是我的职责"),
        ("我保证一定解决。", "vague_promise", "我保证一定解决"),
        ("你怎么连这个都不懂？", "doubting_customer", "你怎么连这个都不懂"),
        ("我听不懂。", "blunt", "我听不懂"),
        ("你再说一遍。", "blunt", "你再说一遍"),
        ("唉，我再帮您看一下。", "impatience", "唉"),
        ("我都跟您说了多少遍了。", "impatience", "说了多少遍了"),
    ],
)
def test_verbatim_forbidden_phrase_scr2(text, category, evidence):
    result = check(clean_chat(("agent", text)))
    assert categories(result) == [category]
    finding = result["findings"][0]
    assert finding["standard"] == "SCR-2" and finding["segment"] == 4
    assert finding["evidence"] == evidence
    start, end = finding["span"]
    assert text[start:end] == evidence
    assert finding["suggestion"]


def test_shirking_suggestion_is_the_standard_replacement():
    finding = check(clean_chat(("agent", "这不是我的职责。")))["findings"][0]
    assert "我会帮您转接至相关同事" in finding["suggestion"]


@pytest.mark.parametrize(
    ("text", "category", "how"),
    [
        ("这个不归我们管,您自己去问财务", "shirking", "exact"),
        ("这件事不归客服部管。", "shirking", "gap"),
        ("您自己去柜台问吧。", "shirking", "gap"),
        ("这个问题不是我负责的。", "shirking", "gap"),
        ("这个你得去找别的部门问问。", "shirking", "exact"),
        ("你去问问别人吧。", "shirking", "exact"),
        ("放心吧一定给您办好的。", "vague_promise", "similar"),
        ("这么简单的操作都不会吗？", "doubting_customer", "exact"),
        ("这个问题我们实在管不过来。", "shirking", "similar"),
        ("您就等着消息吧啊。", "vague_promise", "similar"),
    ],
)
def test_paraphrased_forbidden_phrase_scr2(text, category, how):
    result = check(clean_chat(("agent", text)))
    assert categories(result) == [category]
    assert result["findings"][0]["detail"]["match"] == how


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # 推诿: not our business, go and ask someone else yourself.
        ("退税的问题跟我们售后没关系。", "shirking"),
        ("物业那边的事我们管不着。", "shirking"),
        ("那是保险公司的事，你自己去联系他们。", "shirking"),
        ("这块不在我们的服务范围里，你问别人吧。", "shirking"),
        ("这种事您得自己跟他们沟通。", "shirking"),
        ("这个跟我们完全没有关系。", "shirking"),
        # 模糊承诺: a guarantee with nothing behind it, or "soon" without a time.
        ("您放一百个心，肯定帮您办好。", "vague_promise"),
        ("具体多久到我也说不准。", "vague_promise"),
        ("估计下个月能处理完吧。", "vague_promise"),
        # 质疑客户: the customer's honesty or care put in doubt.
        ("会不会是您自己把密码输错了？", "doubting_customer"),
        ("你确定你真的寄回来过吗？", "doubting_customer"),
        ("其他顾客用着都没问题，就您这有问题？", "doubting_customer"),
        ("我们的系统一般是不会出错的。", "doubting_customer"),
        # 生硬话术: curt orders instead of a polite request.
        ("你讲重点好不好。", "blunt"),
        ("你说话能不能讲清楚一点。", "blunt"),
        ("什么？", "blunt"),
        ("你再讲一遍型号。", "blunt"),
        # 不耐烦: "I told you already", "hurry up".
        ("这个上午就讲过了。", "impatience"),
        ("同一个问题您要问几遍才行？", "impatience"),
        ("后面还有好多人等着呢，您快点。", "impatience"),
    ],
)
def test_general_paraphrase_patterns_scr2(text, category):
    assert categories(check(clean_chat(("agent", text)))) == [category]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("请您直接去营业厅问吧。", "shirking"),
        ("您先看一下说明书。", None),
    ],
)
def test_polite_you_in_a_rule_also_matches_the_plain_you(text, category):
    data = copy.deepcopy(DEFAULT_RULES)
    data["forbidden"][0]["phrases"].append("您直接去营业厅")
    rules = rule_set_from_data(data)
    plain = text.replace("您", "你")
    expected = [category] if category else []
    assert categories(check(clean_chat(("agent", text)), rules)) == expected
    assert categories(check(clean_chat(("agent", plain)), rules)) == expected


def test_plain_you_in_a_rule_does_not_match_the_polite_you():
    assert categories(check(clean_chat(("agent", "你再说一遍。")))) == ["blunt"]
    assert check(clean_chat(("agent", "麻烦您再说一遍好吗？")))["findings"] == []


@pytest.mark.parametrize(
    "text",
    [
        "这件事由我们负责到底，不需要您自己去联系快递。",
        "不用您自己去问财务，我帮您转接。",
        "您放心，这个订单我们今天下午三点前处理完成。",
        "请问您确定要取消这个订单吗？",
        "为了更好地帮您处理，请问您的订单号是多少？",
        "我重复一下刚才的处理方案：明天上午十点前退款到账。",
    ],
)
def test_negations_and_recommended_wording_are_not_flagged(text):
    assert check(clean_chat(("agent", text)))["findings"] == []


@pytest.mark.parametrize(
    "text",
    [
        "一个月修了三次还是坏的，你们这是什么质量！",
        "下单才三天就涨价，你们这是乱收费！",
        "等了一整天都没人来，真让人失望。",
        "我都急死了，孩子明天就要用。",
    ],
)
def test_emotion_lexicon_hnd9(text):
    assert emotion_trigger(text) is not None


def test_the_issue_paraphrase_is_shirking_like_the_standard_phrase():
    paraphrase = check(clean_chat(("agent", "这个不归我们管,您自己去问财务")))
    verbatim = check(clean_chat(("agent", "这不是我的职责")))
    assert categories(paraphrase) == categories(verbatim) == ["shirking"]


@pytest.mark.parametrize(
    "text",
    [
        "我会帮您转接至相关同事，请您稍等。",
        "我们会在24小时内给出明确的处理方案。",
        "我来为您详细说明一下。",
        "这不是您的问题，是我们系统的原因。",
        "如果您还有不清楚的地方，随时联系我们。",
        "不好意思，刚才没有听清楚，麻烦您再说一下好吗？",
        "您稍等，我帮您问一下财务的同事。",
        "请您放心，我们一定跟进到底。",
        "这个问题我帮您反馈给财务部门。",
    ],
)
def test_recommended_scripts_are_not_flagged(text):
    assert check(clean_chat(("agent", text)))["findings"] == []


@pytest.mark.parametrize(
    "text",
    [
        "我听不懂！",
        "这不是你们的职责吗？",
        "你再说一遍？",
        "你们保证一定解决吗？",
        "唉。",
        "这个不归你们管吗，我自己去问财务？",
    ],
)
def test_customer_saying_forbidden_words_is_never_an_agent_violation(text):
    result = check(clean_chat(("customer", text), ("agent", "好的，我为您查询一下。")))
    assert result["findings"] == []


def test_one_finding_per_rule_and_turn():
    result = check(clean_chat(("agent", "这不是我的职责，不归我管，你找别的部门。")))
    assert categories(result) == ["shirking"]


def test_missing_greeting_scr4():
    data = clean_chat()
    data["segments"][0]["text"] = "请问有什么可以帮您？"
    result = check(data)
    assert categories(result) == ["missing_greeting"]
    assert result["findings"][0]["segment"] == 0
    assert result["findings"][0]["standard"] == "SCR-4"


def test_greeting_in_the_second_agent_turn_counts():
    data = clean_chat()
    data["segments"][0]["text"] = "喂？"
    data["segments"][2]["text"] = "您好，" + RESTATEMENT
    assert check(data)["findings"] == []


def test_missing_restatement_hnd1():
    data = clean_chat()
    data["segments"][2]["text"] = "好的，我查一下。"
    result = check(data)
    assert categories(result) == ["missing_restatement"]
    assert result["findings"][0]["standard"] == "HND-1"
    assert result["findings"][0]["segment"] is None


def test_restatement_with_a_gap_pattern_counts():
    data = clean_chat()
    data["segments"][2]["text"] = "您是要查退款进度，对吗？"
    assert check(data)["findings"] == []


@pytest.mark.parametrize(
    ("index", "replacement", "rule"),
    [
        (-5, "请问还有其他问题吗？", "solved_check"),
        (-5, "已经为您处理好了。", "other_questions_check"),
        (-3, "好的。", "satisfaction_check"),
    ],
)
def test_triple_confirmation_cls1(index, replacement, rule):
    data = clean_chat()
    data["segments"][index]["text"] = replacement
    result = check(data)
    assert categories(result) == ["missing_satisfaction_check"]
    assert result["findings"][0]["rule"] == rule
    assert result["findings"][0]["standard"] == "CLS-1"


def test_cls1_parts_missing_together_are_one_finding():
    """The three CLS-1 confirmations are parts of one requirement (one category, one stage): a
    contact missing all of them gets one finding listing the parts, and loses the result
    deduction once, not three times."""
    data = clean_chat()
    data["segments"][-5]["text"] = "好的。"
    data["segments"][-3]["text"] = "好的。"
    result = check(data)
    assert categories(result) == ["missing_satisfaction_check"]
    finding = result["findings"][0]
    assert finding["standard"] == "CLS-1" and finding["rule"] == "solved_check"
    assert finding["detail"] == {
        "missing": ["solved_check", "other_questions_check", "satisfaction_check"]
    }
    assert finding["suggestion"] == (
        "请问您的问题已经解决了吗？请问还有其他可以帮您的吗？请问您对本次服务是否满意？"
    )
    assert result["dimensions"]["result"] == 85


def test_one_missing_cls1_part_names_itself():
    data = clean_chat()
    data["segments"][-3]["text"] = "好的。"
    (finding,) = check(data)["findings"]
    assert finding["rule"] == "satisfaction_check"
    assert finding["detail"] == {"missing": ["satisfaction_check"]}


def test_missing_closing_cls2():
    data = clean_chat()
    data["segments"][-1]["text"] = "好的。"
    result = check(data)
    assert categories(result) == ["missing_closing"]
    assert result["findings"][0]["segment"] == len(data["segments"]) - 1
    assert "感谢您的来电" in result["findings"][0]["suggestion"]


def test_no_empathy_after_an_emotional_customer_hnd9():
    result = check(
        clean_chat(("customer", "你们这什么破服务，我要投诉！"), ("agent", "请提供订单号。"))
    )
    assert categories(result) == ["no_empathy"]
    finding = result["findings"][0]
    assert finding["standard"] == "HND-9" and finding["segment"] == 5
    assert finding["detail"] == {"customer_segment": 4, "emotion": "什么破"}


def test_empathy_in_the_next_agent_turn_satisfies_hnd9():
    result = check(
        clean_chat(
            ("customer", "气死我了，等了一个星期！"),
            ("agent", "请您稍等。"),
            ("agent", "非常理解您的心情，我马上为您处理。"),
        )
    )
    assert result["findings"] == []


def test_empathy_must_come_in_the_next_turn_not_later():
    result = check(
        clean_chat(
            ("customer", "太差了！"),
            ("agent", "请提供订单号。"),
            ("customer", "123456。"),
            ("agent", "非常抱歉给您带来不便。"),
        )
    )
    assert categories(result) == ["no_empathy"]


@pytest.mark.parametrize(
    ("text", "emotional"),
    [
        ("你们这什么破服务", True),
        ("我要投诉你们", True),
        ("我很生气", True),
        ("快点！快点！怎么还没好！", True),
        ("我不生气，就是问问", False),
        ("我没投诉，只是咨询", False),
        ("好的，谢谢！", False),
        ("请问退款什么时候到账？", False),
    ],
)
def test_emotion_detector(text, emotional):
    assert (emotion_trigger(text) is not None) is emotional


def call(*turns: tuple[str, float, float, str]) -> dict:
    return {
        "channel": "call",
        "language": "zh",
        "segments": [
            {"speaker": who, "start": start, "end": end, "text": text}
            for who, start, end, text in turns
        ],
    }


def only(result: dict, category: str) -> list[dict]:
    return [finding for finding in result["findings"] if finding["category"] == category]


def test_speech_rate_counts_han_letters_digits_not_punctuation_scr3():
    text = "您好！" + "，".join(["请问您的订单号"] * 3) + "……？！"
    assert characters_per_minute(Segment("agent", text, 0, 6)) == 23 * 10
    # 23 counted characters in 6 s is 230 per minute: inside the band although the text with
    # its punctuation is 33 characters (330 per minute).
    assert only(check(call(("agent", 0, 6, text))), "speech_rate") == []


def test_letters_and_digits_count_for_speech_rate():
    assert characters_per_minute(Segment("agent", "VIP会员 12345", 0, 60)) == 10


@pytest.mark.parametrize(("seconds", "flagged"), [(2.5, True), (5, False), (15, True)])
def test_speech_rate_band(seconds, flagged):
    # 20 counted characters; 3 s is 400/min, 5 s is 240/min (the limit), 15 s is 80/min.
    text = "您好很高兴为您服务请问有什么可以帮您的吗"
    result = check(call(("agent", 0, seconds + 0.5, text)))
    found = only(result, "speech_rate")
    assert bool(found) is flagged
    if found:
        assert found[0]["standard"] == "SCR-3"
        assert found[0]["detail"]["min_cpm"] == 120 and found[0]["detail"]["max_cpm"] == 240


def test_speech_rate_only_for_agents_and_voice():
    fast = "您好很高兴为您服务请问有什么可以帮您的吗"
    assert only(check(call(("customer", 0, 1, fast))), "speech_rate") == []
    chat = call(("agent", 0, 1, fast))
    chat["channel"] = "chat"
    assert only(check(chat), "speech_rate") == []


def test_long_silence_before_an_agent_turn():
    result = check(
        call(("customer", 0, 3, "我的快递到哪了？"), ("agent", 18, 22, "您好，我看一下。"))
    )
    found = only(result, "long_silence")
    assert len(found) == 1 and found[0]["segment"] == 1 and found[0]["detail"]["seconds"] == 15


def test_customer_silence_is_not_an_agent_violation():
    result = check(call(("agent", 0, 3, "请问您的订单号？"), ("customer", 30, 33, "稍等我找找。")))
    assert only(result, "long_silence") == [] and only(result, "long_hold") == []


@pytest.mark.parametrize(("back_at", "flagged"), [(40, False), (100, True)])
def test_announced_hold_has_a_longer_limit(back_at, flagged):
    result = check(
        call(
            ("agent", 0, 3, "好的，请您稍等，我查一下。"),
            ("agent", back_at, back_at + 3, "感谢您的耐心等待。"),
        )
    )
    assert only(result, "long_silence") == []
    assert bool(only(result, "long_hold")) is flagged


def test_agent_talking_over_the_customer_is_an_interruption():
    result = check(
        call(("customer", 0, 6, "我想问一下退款的事情"), ("agent", 4, 8, "您好，退款三天到账。"))
    )
    found = only(result, "interruption")
    assert len(found) == 1 and found[0]["detail"]["overlap_seconds"] == 2


def test_customer_talking_over_the_agent_is_not_an_interruption():
    result = check(
        call(("agent", 0, 6, "您好，退款三天到账。"), ("customer", 4, 8, "好的我知道了"))
    )
    assert only(result, "interruption") == []


def test_short_overlap_is_not_an_interruption():
    result = check(call(("customer", 0, 6, "我想问一下退款"), ("agent", 5.5, 9, "好的，您请说。")))
    assert only(result, "interruption") == []


def test_score_arithmetic_qa1():
    findings = [
        {"category": "shirking"},  # script -20
        {"category": "blunt"},  # script -10
        {"category": "no_empathy"},  # communication -20
        {"category": "missing_satisfaction_check"},  # result -15
        {"category": "missing_satisfaction_check"},  # result -15
        {"category": "missing_closing"},  # process -10
    ]
    dimensions, score = score_findings(findings)
    assert dimensions == {"process": 90, "communication": 80, "script": 70, "result": 70}
    assert score == 77.5


def test_dimension_floor_is_zero_and_weights_apply():
    data = copy.deepcopy(DEFAULT_RULES)
    data["scoring"]["weights"] = {"process": 1, "communication": 1, "script": 2, "result": 0}
    rules = rule_set_from_data(data)
    dimensions, score = score_findings([{"category": "shirking"}] * 6, rules)
    assert dimensions["script"] == 0
    assert score == round((100 + 100 + 0) / 4, 1)


def test_check_reports_the_deductions_of_its_findings():
    result = check(clean_chat(("agent", "这不是我的职责。")))
    assert result["dimensions"]["script"] == 80 and result["score"] == 95


def test_rule_set_is_compiled_once_per_content():
    assert default_rule_set() is default_rule_set()
    assert rule_set_from_data(copy.deepcopy(DEFAULT_RULES)) is default_rule_set()


def test_rules_come_from_data_and_can_be_extended():
    data = copy.deepcopy(DEFAULT_RULES)
    data["forbidden"].append(
        {
            "key": "competitor",
            "standard": "SCR-2",
            "category": "competitor_praise",
            "phrases": ["去别家买"],
            "suggestion": "我们也有同类的产品，我为您介绍一下。",
        }
    )
    data["scoring"]["dimensions"]["script"].append("competitor_praise")
    result = check(clean_chat(("agent", "您可以去别家买。")), RuleSet.from_data(data))
    assert categories(result) == ["competitor_praise"]
    assert result["dimensions"]["script"] == 90  # the default deduction


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["forbidden"][0].__setitem__("gaps", ["不归管"]), "forbidden.0.gaps"),
        (lambda d: d["forbidden"][0].__setitem__("phrases", "这不是"), "forbidden.0.phrases"),
        (lambda d: d["required"][0].__setitem__("stage", "middle"), "required.0.stage"),
        (lambda d: d["speech_rate"].__setitem__("min_cpm", 300), "speech_rate.min_cpm"),
        (lambda d: d["scoring"]["dimensions"]["script"].remove("blunt"), "scoring.dimensions"),
        (lambda d: d.pop("empathy"), "empathy"),
    ],
)
def test_bad_rule_data_is_refused_with_its_path(change, path):
    data = copy.deepcopy(DEFAULT_RULES)
    change(data)
    with pytest.raises(RuleSetError) as caught:
        RuleSet.from_data(data)
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ([], ""),
        ({"segments": []}, "channel"),
        ({"channel": "chat"}, "segments"),
        ({"channel": "chat", "segments": [{"speaker": "bot", "text": "x"}]}, "segments.0.speaker"),
        ({"channel": "chat", "segments": [{"speaker": "agent", "text": 3}]}, "segments.0.text"),
        (
            {"channel": "call", "segments": [{"speaker": "agent", "text": "x", "start": "a"}]},
            "segments.0.start",
        ),
        (
            {
                "channel": "call",
                "segments": [{"speaker": "agent", "text": "x", "start": 5, "end": 1}],
            },
            "segments.0.end",
        ),
    ],
)
def test_bad_transcript_names_the_field(data, field):
    with pytest.raises(TranscriptError) as caught:
        check(data)
    assert caught.value.field == field


def test_system_segments_and_empty_transcripts_are_quiet():
    assert check({"channel": "chat", "segments": []})["findings"] == []
    data = clean_chat(("system", "坐席已转接。"))
    assert check(data)["findings"] == []
