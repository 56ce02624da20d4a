"""Complaint category and urgency from the complaint text, in Chinese, English and Portuguese.

Two parts: a keyword rule set that works from the first day, and a small trained classifier (TF-IDF over
character n-grams, so it copes with Chinese without word segmentation and with Portuguese inflections)
that learns from labelled complaints. `classify()` uses the model where it is confident and the rules
otherwise.
"""

import csv
import random
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

PRODUCT_QUALITY = "product_quality"
LOGISTICS = "logistics"
AFTER_SALES = "after_sales"
PAYMENT = "payment"
OTHER = "other"
CATEGORIES = (PRODUCT_QUALITY, LOGISTICS, AFTER_SALES, PAYMENT, OTHER)

URGENCY_HIGH = "high"
URGENCY_NORMAL = "normal"

# Stems, matched as substrings of the normalised (lower-case, accent-folded) text.
# fmt: off
KEYWORDS: dict[str, tuple[str, ...]] = {
    LOGISTICS: (
        "快递", "物流", "配送", "送货", "没收到", "未收到", "还没到", "发货", "派送", "骑手", "送达", "送餐",
        "迟到", "太慢", "送得慢", "超时", "包裹", "丢件", "送错", "少送", "漏送", "洒了", "凉了",
        "deliver", "shipping", "shipment", "courier", "tracking", "parcel", "package", "not arrived",
        "never arrived", "late", "delay",
        "entreg", "atras", "correio", "transportadora", "nao recebi", "nao chegou", "ainda nao", "chegou",
        "prazo", "rastre", "frete", "demor", "apenas um", "so recebi", "faltou", "falta",
    ),
    PRODUCT_QUALITY: (
        "质量", "假货", "假的", "破损", "坏了", "劣质", "不新鲜", "变质", "色差", "做工", "掉色", "起球",
        "漏水", "有异味", "难吃", "不好用", "与描述不符", "太差", "很差", "垃圾", "盗版", "印刷", "缺页",
        "失望", "不值", "发热", "死机", "卡顿", "噪音", "不好吃", "不甜", "烂了", "脏", "旧的", "二手",
        "quality", "broken", "defect", "fake", "counterfeit", "damaged", "not as described", "poor",
        "stopped working",
        "qualidade", "quebrad", "defeito", "falsific", "diferente do anunciado", "diferente", "danific",
        "ruim", "pessim", "nao funciona", "parou de funcionar", "fragil", "original",
    ),
    AFTER_SALES: (
        "退货", "退款", "换货", "售后", "客服", "保修", "维修", "不给退", "服务态度", "前台",
        "refund", "return", "exchange", "warranty", "customer service", "replacement",
        "devolu", "reembols", "troca", "estorno", "garantia", "atendimento", "cancelamento", "cancelar",
    ),
    PAYMENT: (
        "支付", "付款", "扣款", "重复扣", "发票", "多收", "扣钱", "优惠券", "红包",
        "payment", "charged", "invoice", "double charge", "coupon", "billing", "overcharge",
        "pagamento", "cobran", "boleto", "cartao", "nota fiscal", "cobrad", "fatura", "parcela",
    ),
}
URGENT_KEYWORDS: tuple[str, ...] = (
    "12315", "报警", "律师", "起诉", "受伤", "爆炸", "起火", "过敏", "中毒", "曝光", "媒体",
    "lawyer", "police", "injur", "fire", "allerg", "poison", "sue ", "fraud", "scam",
    "advogad", "procon", "policia", "processar", "fraude", "golpe", "ferid", "intoxica", "reclame aqui",
)
# fmt: on

# Olist's labelled reviews (most_voted_subclass) mapped to our complaint categories.
OLIST_LABELS = {
    "atrasado": LOGISTICS,
    "entrega_parcial": LOGISTICS,
    "outro_entrega": LOGISTICS,
    "baixa_qualidade": PRODUCT_QUALITY,
    "diferente_do_anunciado": PRODUCT_QUALITY,
    "devolucao": AFTER_SALES,
    "outro_pedido": OTHER,
}

# Chosen on the held-out Olist split: below it the keyword rules do better than the model.
MODEL_CONFIDENCE = 0.4


def normalise(text: str) -> str:
    """Lower-case, byte-order marks and accents removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class Classification:
    category: str
    urgency: str
    confidence: float
    method: str  # "model", "rules" or "default"


def rule_scores(text: str) -> dict[str, int]:
    normal = normalise(text)
    return {category: sum(stem in normal for stem in stems) for category, stems in KEYWORDS.items()}


def classify_by_rules(text: str) -> tuple[str, float]:
    scores = rule_scores(text)
    best = max(scores, key=lambda category: scores[category])
    total = sum(scores.values())
    if total == 0:
        return OTHER, 0.0
    return best, scores[best] / total


def urgency_of(text: str) -> str:
    normal = normalise(text)
    return URGENCY_HIGH if any(stem in normal for stem in URGENT_KEYWORDS) else URGENCY_NORMAL


class TextModel:
    """TF-IDF over character n-grams and a logistic regression: small, fast and language-agnostic."""

    def __init__(self, pipeline):
        self.pipeline = pipeline

    @classmethod
    def train(cls, texts: list[str], labels: list[str]) -> "TextModel":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True),
            LogisticRegression(max_iter=2000, class_weight="balanced", C=5.0),
        )
        pipeline.fit([normalise(text) for text in texts], labels)
        return cls(pipeline)

    def predict(self, text: str) -> tuple[str, float]:
        probabilities = self.pipeline.predict_proba([normalise(text)])[0]
        best = int(probabilities.argmax())
        return str(self.pipeline.classes_[best]), float(probabilities[best])

    def save(self, path: Path) -> None:
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.pipeline, path)

    @classmethod
    def load(cls, path: Path) -> "TextModel | None":
        if not path.is_file():
            return None
        import joblib

        return cls(joblib.load(path))


_loaded: dict[Path, tuple[float, TextModel | None]] = {}


def current_model() -> TextModel | None:
    """The trained model at COMPLAINT_CLASSIFIER_PATH, reloaded when the file changes."""
    path = Path(settings.COMPLAINT_CLASSIFIER_PATH)
    mtime = path.stat().st_mtime if path.is_file() else 0.0
    cached = _loaded.get(path)
    if cached is None or cached[0] != mtime:
        _loaded[path] = (mtime, TextModel.load(path))
    return _loaded[path][1]


def classify(text: str, *, model: TextModel | None = None) -> Classification:
    model = model if model is not None else current_model()
    urgency = urgency_of(text)
    if model is not None:
        category, confidence = model.predict(text)
        if confidence >= MODEL_CONFIDENCE:
            return Classification(category, urgency, confidence, "model")
    category, share = classify_by_rules(text)
    if share > 0:
        return Classification(category, urgency, share, "rules")
    if model is not None:
        return Classification(category=model.predict(text)[0], urgency=urgency, confidence=0.0, method="model")
    return Classification(OTHER, urgency, 0.0, "default")


# --- Labelled data ------------------------------------------------------------------------------


def olist_labelled(path: Path) -> Iterator[tuple[str, str]]:
    """(text, category) pairs from Olist's labelled public reviews, complaints only."""
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label = OLIST_LABELS.get(row.get("most_voted_subclass", ""))
            text = " ".join(filter(None, (row.get("review_comment_title"), row.get("review_comment_message"))))
            if label and text.strip():
                yield text, label


def held_out_split(
    pairs: Iterable[tuple[str, str]], *, test_share: float = 0.2, seed: int = 20261126
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A stratified split that is the same on every run."""
    by_label: dict[str, list[tuple[str, str]]] = {}
    for pair in pairs:
        by_label.setdefault(pair[1], []).append(pair)
    rng = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    train, test = [], []
    for label in sorted(by_label):
        rows = sorted(by_label[label])
        rng.shuffle(rows)
        cut = max(1, round(len(rows) * test_share))
        test.extend(rows[:cut])
        train.extend(rows[cut:])
    return train, test


@dataclass(frozen=True)
class Evaluation:
    train_size: int
    test_size: int
    majority_baseline: float
    rules_accuracy: float
    model_accuracy: float
    combined_accuracy: float


def evaluate(pairs: list[tuple[str, str]]) -> Evaluation:
    train, test = held_out_split(pairs)
    model = TextModel.train([text for text, _ in train], [label for _, label in train])
    labels = [label for _, label in test]
    majority = max(set(labels), key=labels.count)

    def accuracy(predict) -> float:
        return sum(predict(text) == label for text, label in test) / len(test)

    return Evaluation(
        train_size=len(train),
        test_size=len(test),
        majority_baseline=labels.count(majority) / len(labels),
        rules_accuracy=accuracy(lambda text: classify_by_rules(text)[0]),
        model_accuracy=accuracy(lambda text: model.predict(text)[0]),
        combined_accuracy=accuracy(lambda text: classify(text, model=model).category),
    )
