"""The DEFAULT quality rules (STANDARD.md SCR-1…5, HND-1, HND-9, CLS-1, CLS-2, QA-1) as plain data.

Everything here is configuration: a later step stores it in the versioned standard profile and
QA specialists edit it there. :func:`kefu.quality.engine.RuleSet.from_data` compiles it (and
refuses a malformed rule set with the path of the bad field).

Phrase syntax (forbidden and required rules):

- ``phrases``: matched exactly (Aho-Corasick, after full-width → half-width normalisation);
- ``gaps``: a pattern with ``…`` where up to ``max_gap`` characters of the same clause may
  stand (``"不归…管"`` matches "不归我们管", not "不归。……管");
- ``standalone``: a clause that is exactly this text (impatient interjections "唉", "哦" — a
  "哦" inside a word is not one);
- ``examples``: sentences the similarity stage compares each clause of a turn with (character
  bigram cosine ≥ ``similarity``), so paraphrases are caught too.
"""

from __future__ import annotations

from typing import Any

VOICE_CHANNELS = ["call", "phone", "voice"]

FORBIDDEN_RULES: list[dict[str, Any]] = [
    {
        "key": "shirking",
        "standard": "SCR-2",
        "category": "shirking",
        "label": "推诿",
        "phrases": [
            "这不是我的职责",
            "不是我的职责",
            "这不归我管",
            "不归我们管",
            "不关我的事",
            "不关我们的事",
            "这事我管不了",
            "管不了",
            "你找别的部门",
            "您找别的部门",
            "你找其他部门",
            "不是我们部门的事",
            "这不是我们负责的",
            "跟我们没关系",
            "我也没办法",
        ],
        "gaps": [
            "不归…管",
            "自己去…问",
            "自己到…问",
            "自己去…找",
            "你找…部门吧",
            "您找…部门吧",
            "不是我…负责",
            "不是我们…负责",
        ],
        "examples": [
            "这不是我的职责,你找XX部门吧",
            "这个不归我们管",
            "您自己去问财务",
            "这事不是我负责的",
            "这个你得去找别的部门",
            "这个问题我们管不了",
            "你去问别人吧",
        ],
        "similarity": 0.6,
        "suggestion": "我会帮您转接至相关同事，请您稍等。",
    },
    {
        "key": "vague_promise",
        "standard": "SCR-2",
        "category": "vague_promise",
        "label": "模糊承诺",
        "phrases": [
            "我保证一定解决",
            "保证一定解决",
            "肯定没问题",
            "绝对没问题",
            "百分之百解决",
            "包在我身上",
            "一定给您解决",
            "一定帮您搞定",
        ],
        "gaps": ["保证…一定", "绝对…没问题", "肯定…能解决"],
        "examples": [
            "我保证一定解决",
            "肯定能给您解决的",
            "这个绝对没有问题",
            "放心吧一定给您办好",
        ],
        "similarity": 0.6,
        "suggestion": "我们会在XX时间内给出明确的处理方案，届时会第一时间与您联系。",
    },
    {
        "key": "doubting_customer",
        "standard": "SCR-2",
        "category": "doubting_customer",
        "label": "质疑客户",
        "phrases": [
            "你怎么连这个都不懂",
            "您怎么连这个都不懂",
            "你是不是搞错了",
            "你到底会不会用",
            "你听明白了没有",
            "我刚才不是说了吗",
            "这都不会",
        ],
        "gaps": ["怎么连…都不", "你是不是…错了", "你到底…会不会"],
        "examples": [
            "你怎么连这个都不懂",
            "你是不是自己操作错了",
            "你到底有没有看说明",
            "这么简单都不会吗",
        ],
        "similarity": 0.6,
        "suggestion": "我来为您详细说明一下。",
    },
    {
        "key": "blunt",
        "standard": "SCR-2",
        "category": "blunt",
        "label": "生硬话术",
        "phrases": [
            "我听不懂",
            "听不懂你说什么",
            "你再说一遍",
            "不行就是不行",
        ],
        "gaps": [],
        "examples": ["我听不懂你在说什么", "你再说一遍", "你说的什么我听不明白"],
        "similarity": 0.7,
        "suggestion": "不好意思，刚才没有听清楚，麻烦您再说一下好吗？",
    },
    {
        "key": "impatience",
        "standard": "SCR-2",
        "category": "impatience",
        "label": "不耐烦语气",
        "phrases": [
            "说了多少遍了",
            "我已经说过了",
            "烦不烦",
            "你快点说",
            "有完没完",
            "急什么",
        ],
        "gaps": ["说了…多少遍"],
        "standalone": ["唉", "哦", "唉呀", "哎呀", "啧"],
        "examples": ["我都说了多少遍了", "你能不能快点", "你到底有完没完"],
        "similarity": 0.6,
        "suggestion": "请您别着急，我再为您说明一下。",
    },
]

REQUIRED_RULES: list[dict[str, Any]] = [
    {
        "key": "greeting",
        "standard": "SCR-4",
        "category": "missing_greeting",
        "stage": "opening",
        "phrases": ["您好", "你好", "欢迎致电", "欢迎光临", "很高兴为您服务", "早上好", "下午好"],
        "gaps": [],
        "suggestion": "您好，很高兴为您服务，工号XXXX，请问有什么可以帮您？",
    },
    {
        "key": "restatement",
        "standard": "HND-1",
        "category": "missing_restatement",
        "stage": "any",
        "phrases": [
            "您的意思是",
            "您是说",
            "我确认一下",
            "跟您确认一下",
            "和您确认一下",
            "我理解您的问题是",
            "您的问题是",
            "您的需求是",
            "复述一下",
            "确认一下",
            "理解得对吗",
            "理解的对吗",
        ],
        "gaps": ["您…对吗", "您…是吗", "您…对吧"],
        "suggestion": "您的意思是……，对吗？",
    },
    {
        "key": "solved_check",
        "standard": "CLS-1",
        "category": "missing_satisfaction_check",
        "stage": "closing",
        "phrases": [
            "问题解决了吗",
            "已经为您处理好",
            "已经为您办理",
            "已经帮您",
            "已经为您",
            "问题已经解决",
            "解决您的问题了吗",
            "清楚了吗",
            "觉得可以吗",
            "您看可以吗",
        ],
        "gaps": ["解决…了吗", "处理…好了"],
        "suggestion": "请问您的问题已经解决了吗？",
    },
    {
        "key": "other_questions_check",
        "standard": "CLS-1",
        "category": "missing_satisfaction_check",
        "stage": "closing",
        "phrases": [
            "还有其他问题吗",
            "还有什么问题吗",
            "还有其他需要",
            "还有什么可以帮您",
            "还有其他可以帮您",
            "还有别的问题吗",
            "还有什么需要",
            "还有别的需要",
            "还有其他问题",
            "还有别的问题",
        ],
        "gaps": ["还有…可以帮"],
        "suggestion": "请问还有其他可以帮您的吗？",
    },
    {
        "key": "satisfaction_check",
        "standard": "CLS-1",
        "category": "missing_satisfaction_check",
        "stage": "closing",
        "phrases": ["是否满意", "满意吗", "还满意吗", "服务评价", "给个评价"],
        "gaps": ["对…满意"],
        "suggestion": "请问您对本次服务是否满意？",
    },
    {
        "key": "closing",
        "standard": "CLS-2",
        "category": "missing_closing",
        "stage": "closing",
        "phrases": ["感谢您的来电", "感谢您的耐心", "感谢您的咨询", "祝您生活愉快", "再见"],
        "gaps": [],
        "suggestion": "感谢您的来电，祝您生活愉快，再见！",
    },
]

DEFAULT_RULES: dict[str, Any] = {
    "version": 1,
    "forbidden": FORBIDDEN_RULES,
    "required": REQUIRED_RULES,
    # Required phrases: the greeting is looked for in the first N agent turns, the closing
    # checks (CLS-1, CLS-2) in the last N: the three confirmations of CLS-1 and the closing of
    # CLS-2 are four turns when each is its own.
    "stages": {"opening_turns": 2, "closing_turns": 4},
    "max_gap": 8,
    "empathy": {
        "standard": "HND-9",
        "category": "no_empathy",
        "emotion_words": [
            "生气",
            "气死",
            "太差",
            "差劲",
            "投诉",
            "什么破",
            "垃圾",
            "骗子",
            "骗人",
            "太过分",
            "受不了",
            "忍无可忍",
            "搞什么",
            "离谱",
            "烦死",
            "退钱",
            "坑人",
            "恶心",
            "无语",
            "凭什么",
        ],
        # "不生气", "没投诉" are not anger.
        "negations": ["不", "没", "别", "无需", "不用"],
        # An exclamation mark in at least this share of the clauses (and two at least) makes a
        # turn emotional on its own.
        "exclamation_ratio": 0.5,
        "phrases": [
            "理解您的心情",
            "非常理解",
            "理解您",
            "抱歉",
            "对不起",
            "不好意思",
            "给您带来不便",
            "给您添麻烦",
            "您别着急",
            "请您放心",
            "请别着急",
            "辛苦您了",
        ],
        "suggestion": "非常理解您的心情，给您带来不便非常抱歉，我马上为您处理。",
    },
    "speech_rate": {
        "standard": "SCR-3",
        "category": "speech_rate",
        "enabled": True,
        "channels": VOICE_CHANNELS,
        "min_cpm": 120,
        "max_cpm": 240,
        # Too short a turn says nothing about the pace ("好的。").
        "min_seconds": 3.0,
        "min_chars": 10,
        "suggestion": "请将语速保持在每分钟120–240字，语气平和。",
    },
    "silence": {
        "standard": "SCR-3",
        "category": "long_silence",
        "hold_category": "long_hold",
        "enabled": True,
        "channels": VOICE_CHANNELS,
        "max_seconds": 10.0,
        # After an announced hold ("请您稍等") the customer may wait longer.
        "hold_phrases": ["请稍等", "请您稍等", "请稍候", "请您稍候", "稍等一下", "我查一下"],
        "max_hold_seconds": 60.0,
        "suggestion": "需要查询时请先告知客户“请您稍等”，并在约定时间内回到通话。",
        "hold_suggestion": "等待超过约定时间时请回到通话，向客户说明进度并致谢。",
    },
    "interruption": {
        "standard": "SCR-3",
        "category": "interruption",
        "enabled": True,
        "channels": VOICE_CHANNELS,
        "min_overlap_seconds": 1.0,
        "suggestion": "请耐心听完客户的话再回应。",
    },
    # QA-1: every category deducts points from one of the four dimensions (100 each, floor 0);
    # the score is the weighted mean of the dimensions (equal weights: the plain mean).
    "scoring": {
        "dimensions": {
            "process": [
                "missing_greeting",
                "missing_restatement",
                "missing_closing",
                "long_silence",
                "long_hold",
            ],
            "communication": ["no_empathy", "speech_rate", "interruption"],
            "script": ["shirking", "vague_promise", "doubting_customer", "blunt", "impatience"],
            "result": ["missing_satisfaction_check"],
        },
        "deductions": {
            "shirking": 20,
            "vague_promise": 15,
            "doubting_customer": 20,
            "blunt": 10,
            "impatience": 10,
            "missing_greeting": 10,
            "missing_restatement": 10,
            "missing_closing": 10,
            "missing_satisfaction_check": 15,
            "no_empathy": 20,
            "speech_rate": 5,
            "interruption": 5,
            "long_silence": 5,
            "long_hold": 5,
        },
        "default_deduction": 10,
        "weights": {"process": 1, "communication": 1, "script": 1, "result": 1},
    },
}
