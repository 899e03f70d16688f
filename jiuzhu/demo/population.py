"""A synthetic population of hardship households, generated column by column.

Proportions follow seed 002 (原州区, 4,803 households) and the kind of
households a county civil-affairs bureau actually files: many one- and
two-person elderly households, illness and disability far above the population
average, about half of them under 低保. Everything is made up: names come from
character lists, ID numbers are valid under GB 11643 but belong to nobody.

Columns are numpy arrays (choices as small integer codes) and polars Series,
never Python objects per row, so that a million households take seconds.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import polars as pl
from django.conf import settings

from jiuzhu.core.idnumber import CHECK_CHARS, WEIGHTS
from jiuzhu.engine.economic import DEFAULT_STANDARD
from jiuzhu.households import choices as c
from jiuzhu.households import crypto
from jiuzhu.regions.models import Level, Region

from .users import COUNTY

ADDRESS_CODE = COUNTY[:6]


# ---------------------------------------------------------------------------
# Name and code lists (synthetic)

# Common surnames of 禄劝 (彝族、苗族 and 汉族 families), weighted by rough frequency.
_SURNAMES = (
    "李" * 14 + "张" * 7 + "杨" * 7 + "王" * 6 + "罗" * 5 + "陈" * 4 + "刘" * 3 + "赵" * 3
    + "普" * 3 + "毕" * 2 + "者" * 2 + "鲁" * 2 + "自" * 2 + "沙" * 2 + "起" * 1 + "龙" * 2
    + "熊" * 2 + "陶" * 2 + "马" * 2 + "朱" * 2 + "周" * 2 + "何" * 2 + "吴" * 2 + "黄" * 2
    + "施苏段付胡余钱孙高董吕田郭许尹唐杜邓保字卢夏万韩项安金昌禄阿常孔潘蒋"
)  # fmt: skip
# Given-name characters (first characters, second characters) for men born before
# 1965, 1965–1989, 1990 on, then the same for women: pool = 3 * female + cohort.
# One-character names use the second list.
_GIVEN = [
    (
        "国文正志德福贵荣学光祥有成富忠朝春金应开兴加云家永自绍树建",
        "华明发德才林清山昌顺贵荣祥生亮龙安武富全忠仁元成寿金",
    ),
    ("建晓海永俊志国小云红明伟宏兴文春绍正德光", "军平华伟勇强林波刚东明辉涛斌忠荣祥亮峰江"),
    ("子浩俊宇天嘉梓志文家明晨思博一佳宏雨永", "轩宇杰豪涵睿阳浩铭博航凯鑫辰翔泽宇"),
    ("秀桂玉兰凤翠春美丽琼招会菊英金云粉芝存应树", "英兰珍芳花莲仙芬香珠梅琴秀华凤菊芝美存"),
    ("丽艳红小春晓美玉海云秀桂金琼会燕芳绍", "芬萍艳娟琼霞梅丽华仙燕芳红英敏玲娜梅"),
    ("欣雨梓思佳诗可紫梦子一语静雅晓嘉若", "怡涵琪萱妍彤琳悦瑶菲雪婷馨然月蕊"),
]  # fmt: skip
_PHONE_PREFIXES = [
    "139", "158", "187", "189", "151", "152", "188", "136", "159", "178",
    "199", "135", "150", "183", "130", "133", "173", "181", "177", "198",
]  # fmt: skip
_NOTES = [
    "",
    "汛期强降雨致房屋后墙垮塌",
    "冰雹灾害致当季作物绝收",
    "山体滑坡损毁房屋及圈舍",
    "森林火灾波及自家林地",
    "干旱致烤烟大幅减产",
    "户主务工时摔伤,住院治疗",
    "家庭成员交通事故受伤",
    "家中失火,部分财产损失",
    "耕牛意外死亡",
]
_DISASTER_NOTES = (1, 6)  # index range in _NOTES
_ACCIDENT_NOTES = (6, 10)

# Household compositions found in hardship files.
ELDER_SINGLE, ELDER_COUPLE, ADULT_SINGLE, SINGLE_PARENT = 0, 1, 2, 3
NUCLEAR, THREE_GEN_YOUNG, THREE_GEN_OLD, SKIPPED_GEN = 4, 5, 6, 7
_TYPE_P = [0.17, 0.12, 0.07, 0.09, 0.29, 0.12, 0.08, 0.06]
# Member categories, in the order members are listed in a household.
HEAD, SPOUSE, PARENT, CHILD, CHILD_IN_LAW, GRANDCHILD = range(6)


class _Codes:
    """Small-integer codes for a choices list: columns stay numpy ints until written."""

    def __init__(self, choices):
        self.values = [str(v) for v in choices.values]
        for i, member in enumerate(choices):
            setattr(self, member.name, i)


@dataclass
class Cat:
    """A text column as codes into a list of labels (turned into text by polars)."""

    labels: list[str]
    codes: np.ndarray

    def series(self) -> pl.Series:
        return pl.Series(self.labels, dtype=pl.String).gather(self.codes)


R = _Codes(c.Relation)
OC = _Codes(c.Occupation)
LA = _Codes(c.LabourAbility)
SK = _Codes(c.Skill)
HS = _Codes(c.HealthStatus)
DZ = _Codes(c.Disease)
SC = _Codes(c.SelfCare)
DT = _Codes(c.DisabilityType)
DS = _Codes(c.DisabilitySubsidy)
DB = _Codes(c.DibaoStatus)
ST = _Codes(c.SchoolStage)
HO = _Codes(c.HousingSafety)
TE = _Codes(c.HousingTenure)
LV = _Codes(c.Livestock)
SO = _Codes(c.Source)


def _pick(rng: np.random.Generator, values, p, size: int) -> np.ndarray:
    values = np.asarray(values)
    p = np.asarray(p, dtype=float)
    return values[rng.choice(len(values), size=size, p=p / p.sum())]


def _lognormal(rng, median: float, sigma: float, size: int) -> np.ndarray:
    return median * np.exp(rng.normal(0.0, sigma, size))


def _round_to(values: np.ndarray, step: int) -> np.ndarray:
    return (np.round(values / step) * step).astype(np.int64)


def _json_lists(flags: dict[str, np.ndarray], n: int) -> Cat:
    """JSON lists of the codes whose flag is set, one text per distinct combination."""
    codes = list(flags)
    mask = np.zeros(n, dtype=np.int64)
    for bit, code in enumerate(codes):
        mask |= flags[code].astype(np.int64) << bit
    uniq, inverse = np.unique(mask, return_inverse=True)
    labels = [json.dumps([code for bit, code in enumerate(codes) if m >> bit & 1]) for m in uniq]
    return Cat(labels, inverse)


def _first_per_group(group: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Row of the highest priority in each group (groups 0..k-1, sorted, none empty)."""
    order = np.lexsort((-priority, group))
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
    return order[starts]


# ---------------------------------------------------------------------------
# Identity numbers

_EPOCH = np.datetime64("1900-01-01")
_SEQ_SLOTS = 500  # per birth date and sex: odd sequence numbers for men, even for women


class IdAllocator:
    """Hands out unique (birth date, sequence) pairs, so numbers never collide."""

    def __init__(self, rng: np.random.Generator, today: np.datetime64):
        days = int((today - _EPOCH).astype(int)) + 1
        self.used = np.zeros(days * 2, dtype=np.int32)
        self.perm = rng.permutation(_SEQ_SLOTS).astype(np.int64)

    def allocate(self, birth: np.ndarray, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        day = (birth - _EPOCH).astype(np.int64)
        male = male.astype(np.int64)
        seq = np.empty(len(day), dtype=np.int64)
        todo = np.arange(len(day))
        while len(todo):
            gid = day[todo] * 2 + male[todo]
            order = np.argsort(gid, kind="stable")
            ordered = gid[order]
            rank = np.empty(len(todo), dtype=np.int64)
            rank[order] = np.arange(len(todo)) - np.searchsorted(ordered, ordered, side="left")
            slot = self.used[gid] + rank
            ok = slot < _SEQ_SLOTS
            np.add.at(self.used, gid[ok], 1)
            seq[todo[ok]] = self.perm[slot[ok]] * 2 + male[todo[ok]]
            # Every number of that day and sex is taken: born a day earlier instead.
            todo = todo[~ok]
            day[todo] -= 1
        return _EPOCH + day.astype("timedelta64[D]"), seq


def _ymd(day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = day.astype("datetime64[Y]").astype(np.int64) + 1970
    m = day.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (day - day.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, d


def _id_numbers(birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """GB 11643 numbers (address code 530128) as an ASCII matrix of shape (n, 18)."""
    y, m, d = _ymd(birth)
    digits = np.empty((len(birth), 17), dtype=np.int64)
    digits[:, :6] = [int(ch) for ch in ADDRESS_CODE]
    offset = 6
    for value, width in ((y, 4), (m, 2), (d, 2), (seq, 3)):
        for k in range(width):
            digits[:, offset + k] = value // 10 ** (width - 1 - k) % 10
        offset += width
    check = (digits @ np.array(WEIGHTS, dtype=np.int64)) % 11
    out = np.empty((len(birth), 18), dtype=np.uint8)
    out[:, :17] = digits + 48
    out[:, 17] = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)[check]
    return out


def _ascii_series(matrix: np.ndarray) -> pl.Series:
    return pl.Series(np.ascontiguousarray(matrix).view(f"S{matrix.shape[1]}").ravel()).cast(
        pl.String
    )


class Sealer:
    """Batch form of crypto.encrypt and crypto.lookup_hash: same keys, same format.

    The batch path is checked against the per-row functions first; should
    crypto.py change its format, the per-row functions are used instead."""

    def __init__(self):
        try:
            self.aes = crypto.cipher_for(settings.FIELD_ENCRYPTION_KEY)
            key = crypto.lookup_key(settings.FIELD_HASH_KEY).ljust(64, b"\0")
            self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
            self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
            self.version = crypto.TOKEN_VERSION
            sample = b"530128195001011234"
            token = self._encrypt_fast([sample])[0]
            self.fast = crypto.decrypt(token) == sample.decode() and self._hash_fast([sample])[
                0
            ] == crypto.lookup_hash(sample.decode())
        except (AttributeError, ValueError, TypeError):
            self.fast = False

    def hash(self, numbers: list[bytes]) -> pl.Series:
        if self.fast:
            return pl.Series(self._hash_fast(numbers), dtype=pl.String)
        return pl.Series([crypto.lookup_hash(n.decode()) for n in numbers], dtype=pl.String)

    def encrypt(self, numbers: list[bytes]) -> pl.Series:
        if self.fast:
            return pl.Series(self._encrypt_fast(numbers)).cast(pl.String)
        return pl.Series([crypto.encrypt(n.decode()) for n in numbers], dtype=pl.String)

    def _hash_fast(self, numbers: list[bytes]) -> list[str]:
        # HMAC-SHA256 with both pads hashed once: half the time of hmac.digest per row.
        icopy, ocopy = self.inner.copy, self.outer.copy
        out = []
        append = out.append
        for n in numbers:
            h = icopy()
            h.update(n)
            o = ocopy()
            o.update(h.digest())
            append(o.hexdigest())
        return out

    def _encrypt_fast(self, numbers: list[bytes]) -> np.ndarray:
        # version (1) + nonce (12) + ciphertext (18) + tag (16) = 47 bytes, padded to
        # 48 so that one base64 pass over all records keeps them aligned; the pad
        # byte only touches the last character, which becomes "=" as in b64encode.
        nonces = os.urandom(12 * len(numbers))
        enc = self.aes.encrypt
        version, pad = self.version, b"\0"
        records = b"".join(
            [
                version + nonces[i : i + 12] + enc(nonces[i : i + 12], n, None) + pad
                for i, n in zip(range(0, 12 * len(numbers), 12), numbers, strict=True)
            ]
        )
        if len(records) != 48 * len(numbers):
            raise ValueError("unexpected token length")
        text = np.frombuffer(base64.b64encode(records), dtype=np.uint8).reshape(-1, 64).copy()
        text[:, 63] = ord("=")
        return text.view("S64").ravel()


# ---------------------------------------------------------------------------
# Regions


@dataclass
class Villages:
    codes: list[str]
    names: list[str]
    township_names: list[str]
    rural: np.ndarray  # 村委会 (code part 200 and above) rather than 社区
    group_codes: list[str]  # all groups, grouped by village
    group_names: list[str]
    group_start: np.ndarray  # first group of each village in the lists above
    group_count: np.ndarray

    @classmethod
    def load(cls, *, county: str = COUNTY) -> Villages:
        regions = Region.objects.filter(code__startswith=county[:6])
        townships = dict(regions.filter(level=Level.TOWNSHIP).values_list("code", "name"))
        villages = list(
            regions.filter(level=Level.VILLAGE)
            .order_by("code")
            .values_list("code", "name", "parent_id")
        )
        if not villages:
            raise ValueError("没有村(居)区划,请先加载区划")
        groups: dict[str, list[tuple[str, str]]] = {}
        for code, name, parent in (
            regions.filter(level=Level.GROUP)
            .order_by("code")
            .values_list("code", "name", "parent_id")
        ):
            groups.setdefault(parent, []).append((code, name))
        per_village = [groups.get(v[0], []) for v in villages]
        count = np.array([len(g) for g in per_village], dtype=np.int64)
        return cls(
            codes=[v[0] for v in villages],
            names=[v[1] for v in villages],
            township_names=[townships.get(v[2], "") for v in villages],
            rural=np.array([int(v[0][9:12]) >= 200 for v in villages]),
            group_codes=[g[0] for gs in per_village for g in gs],
            group_names=[g[1] for gs in per_village for g in gs],
            group_start=np.r_[0, np.cumsum(count)[:-1]],
            group_count=count,
        )


def assign_villages(
    rng, villages: Villages, n: int, *, home: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Village of each household, its sequence number in the village, number width."""
    weight = _lognormal(rng, 1.0, 0.45, len(villages.codes))
    weight[~villages.rural] *= 0.6  # 社区 file fewer hardship households
    if home in villages.codes:
        # The demo village worker's village is a big one: a full list to look at.
        weight[villages.codes.index(home)] = 3 * np.median(weight)
    village = rng.choice(len(weight), size=n, p=weight / weight.sum())
    order = np.argsort(village, kind="stable")
    counts = np.bincount(village, minlength=len(weight))
    seq = np.empty(n, dtype=np.int64)
    seq[order] = np.arange(n) - np.repeat(np.r_[0, np.cumsum(counts)[:-1]], counts) + 1
    # services.household_number_next uses 4 digits; a village past 9,999 households
    # gets 5 digits throughout, so that the largest number still sorts last.
    width = np.where(counts > 9999, 5, 4)
    return village, seq, width


# ---------------------------------------------------------------------------
# The population, one chunk of households at a time


def _compose(rng, n: int) -> tuple[SimpleNamespace, SimpleNamespace]:
    """Household types and who lives in each: one row per member, in listing order."""
    h = SimpleNamespace(n=n)
    h.type = rng.choice(8, size=n, p=_TYPE_P)
    t = h.type
    h.head_age = np.select(
        [t == ELDER_SINGLE, t == ELDER_COUPLE, t == ADULT_SINGLE, t == SINGLE_PARENT, t == NUCLEAR,
         t == THREE_GEN_YOUNG, t == THREE_GEN_OLD],
        [60 + np.minimum(rng.gamma(2.2, 6.0, n), 34), 60 + np.minimum(rng.gamma(2.0, 5.5, n), 30),
         rng.integers(25, 60, n), rng.integers(27, 56, n), rng.triangular(26, 40, 60, n),
         rng.integers(30, 56, n), rng.integers(55, 81, n)],
        default=rng.integers(56, 83, n),
    ).astype(np.int64)  # fmt: skip
    h.head_male = rng.random(n) < np.array([0.45, 0.85, 0.7, 0.35, 0.85, 0.85, 0.75, 0.6])[t]
    h.n_spouse = (rng.random(n) < np.array([0, 1, 0, 0, 1, 0.9, 0.7, 0.65])[t]).astype(np.int64)
    kids = rng.choice([1, 2, 3], size=n, p=[0.42, 0.43, 0.15])
    n_child = np.select(
        [np.isin(t, [SINGLE_PARENT, NUCLEAR, THREE_GEN_YOUNG]), t == THREE_GEN_OLD], [kids, 1], 0
    )
    h.n_parent = np.where(t == THREE_GEN_YOUNG, rng.choice([1, 2], size=n, p=[0.6, 0.4]), 0)
    h.n_cil = np.where(t == THREE_GEN_OLD, (rng.random(n) < 0.6).astype(np.int64), 0)
    grand = rng.choice([1, 2, 3], size=n, p=[0.45, 0.4, 0.15])
    n_grand = np.where(np.isin(t, [THREE_GEN_OLD, SKIPPED_GEN]), grand, 0)
    # The grown-up child living with an old head, and that child's partner.
    h.ac_age = np.maximum(h.head_age - rng.integers(22, 34, n), 18)
    h.ac_male = rng.random(n) < 0.8
    counts = np.stack(
        [np.ones(n, dtype=np.int64), h.n_spouse, h.n_parent, n_child, h.n_cil, n_grand], axis=1
    ).ravel()
    h.size = counts.reshape(n, 6).sum(axis=1)

    p = SimpleNamespace()
    p.h = np.repeat(np.repeat(np.arange(n), 6), counts)  # household of each member
    p.cat = np.repeat(np.tile(np.arange(6), n), counts)
    p.m = len(p.h)
    p.pos = np.arange(p.m) - np.repeat(np.cumsum(np.r_[0, counts[:-1]]), counts)
    return h, p


def _people(rng, h, p, *, today: dt.date, allocator: IdAllocator) -> None:
    """Age, sex, relation, birth date, ID number and name of every member."""
    m, cat, mh = p.m, p.cat, p.h
    hage = h.head_age[mh]
    is_3o = h.type[mh] == THREE_GEN_OLD
    child_age = hage - rng.integers(20, 40, m)
    young = child_age < 0
    child_age[young] = rng.integers(0, np.maximum(hage[young] - 19, 1))
    ac_age = h.ac_age[mh]
    grand_age = np.where(
        h.type[mh] == SKIPPED_GEN, rng.integers(1, 17, m), ac_age - rng.integers(20, 36, m)
    )
    neg = grand_age < 0
    grand_age[neg] = rng.integers(0, np.maximum(ac_age[neg] - 19, 1))
    spouse_age = hage + np.round(rng.normal(0, 3, m)).astype(np.int64)
    spouse_age += np.where(h.head_male[mh], -2, 2)
    age = np.select(
        [cat == HEAD, cat == SPOUSE, cat == PARENT, cat == CHILD, cat == CHILD_IN_LAW],
        [hage, np.maximum(spouse_age, 20), np.minimum(hage + rng.integers(22, 36, m), 98),
         np.where(is_3o, ac_age, child_age), np.maximum(ac_age + rng.integers(-4, 5, m), 18)],
        default=grand_age,
    )  # fmt: skip
    head_male = h.head_male[mh]
    male = np.select(
        [cat == HEAD, cat == SPOUSE, (cat == PARENT) & (h.n_parent[mh] == 2), cat == PARENT,
         (cat == CHILD) & is_3o, cat == CHILD_IN_LAW],
        [head_male, ~head_male, p.pos == 0, rng.random(m) < 0.3, h.ac_male[mh], ~h.ac_male[mh]],
        default=rng.random(m) < 0.52,
    )  # fmt: skip
    in_law = (cat == PARENT) & (rng.random(m) < 0.15)
    p.relation = np.select(
        [cat == HEAD, cat == SPOUSE, in_law, cat == PARENT, cat == CHILD, cat == CHILD_IN_LAW],
        [R.HEAD, R.SPOUSE, R.PARENT_IN_LAW, R.PARENT, R.CHILD, R.CHILD_IN_LAW],
        default=R.GRANDCHILD,
    )

    # Birth dates consistent with the ages; the ID number carries both.
    today64 = np.datetime64(today)
    days = age * 365 + age // 4 + rng.integers(0, 365, size=m)
    birth = np.maximum(today64 - days.astype("timedelta64[D]"), np.datetime64("1905-01-01"))
    birth, seq = allocator.allocate(birth, male)
    y, mo, d = _ymd(birth)
    p.age = today.year - y - ((mo > today.month) | ((mo == today.month) & (d > today.day)))
    p.male, p.birth = male, birth
    p.ids = _id_numbers(birth, seq)

    # Names: children take the father's surname; wives keep their own.
    ns = len(_SURNAMES)
    head_sur, spouse_sur = rng.integers(0, ns, h.n), rng.integers(0, ns, h.n)
    absent_sur, cil_sur = rng.integers(0, ns, h.n), rng.integers(0, ns, h.n)
    family = np.where(h.head_male, head_sur, np.where(h.n_spouse == 1, spouse_sur, absent_sur))
    grand_family = np.where(
        (h.type == THREE_GEN_OLD) & ~h.ac_male & (h.n_cil == 1), cil_sur, family
    )
    own = rng.integers(0, ns, m)
    in_law_sur = np.where(h.n_spouse[mh] == 1, spouse_sur[mh], own)
    sur = np.select(
        [cat == HEAD, cat == SPOUSE, (cat == PARENT) & ~in_law & male, in_law & male,
         cat == PARENT, cat == CHILD, cat == CHILD_IN_LAW],
        [head_sur[mh], spouse_sur[mh], np.where(head_male, head_sur[mh], own), in_law_sur, own,
         family[mh], cil_sur[mh]],
        default=grand_family[mh],
    )  # fmt: skip
    cohort = np.select([y < 1965, y < 1990], [0, 1], default=2)
    pool = np.where(male, 0, 3) + cohort
    firsts = [list(a) for a, _ in _GIVEN]
    seconds = [list(b) for _, b in _GIVEN]
    f_len = np.array([len(a) for a in firsts])
    s_len = np.array([len(b) for b in seconds])
    f_idx = np.r_[0, np.cumsum(f_len)[:-1]][pool] + (rng.random(m) * f_len[pool]).astype(np.int64)
    s_idx = np.r_[0, np.cumsum(s_len)[:-1]][pool] + (rng.random(m) * s_len[pool]).astype(np.int64)
    frame = pl.DataFrame(
        {
            "s": Cat(list(_SURNAMES), sur).series(),
            "a": Cat([ch for a in firsts for ch in a], f_idx).series(),
            "b": Cat([ch for b in seconds for ch in b], s_idx).series(),
            "two": rng.random(m) < 0.78,
        }
    )
    p.name = frame.select(
        pl.when(pl.col("two"))
        .then(pl.col("s") + pl.col("a") + pl.col("b"))
        .otherwise(pl.col("s") + pl.col("b"))
    ).to_series()


def _health(rng, p) -> None:
    """Illness, disability and self-care, rising with age as in hardship files."""
    m, age = p.m, p.age
    band = np.digitize(age, [18, 40, 60, 70])  # <18, 18–39, 40–59, 60–69, 70+
    p_serious = np.array([0.012, 0.025, 0.05, 0.055, 0.055])[band]
    p_chronic = np.array([0.03, 0.15, 0.42, 0.58, 0.65])[band]
    p_weak = np.array([0.02, 0.03, 0.05, 0.12, 0.15])[band]
    u = rng.random(m)
    p.health = np.select(
        [u < p_serious, u < p_serious + p_chronic, u < p_serious + p_chronic + p_weak],
        [HS.SERIOUS, HS.CHRONIC, HS.WEAK],
        default=HS.HEALTHY,
    )
    chronic = _pick(
        rng,
        [DZ.HYPERTENSION, DZ.DIABETES, DZ.CARDIO, DZ.ARTHRITIS, DZ.STROKE, DZ.TB, DZ.OTHER],
        [0.30, 0.12, 0.12, 0.18, 0.05, 0.02, 0.21],
        m,
    )
    serious = _pick(
        rng,
        [DZ.KIDNEY, DZ.CANCER, DZ.LEUKEMIA, DZ.MENTAL, DZ.LIVER, DZ.STROKE, DZ.CARDIO,
         DZ.OTHER_SERIOUS],
        [0.12, 0.30, 0.04, 0.14, 0.08, 0.10, 0.08, 0.14],
        m,
    )  # fmt: skip
    # A seriously ill child has leukaemia or the like, not a stroke.
    serious = np.where(
        (age < 18) & np.isin(serious, [DZ.STROKE, DZ.LIVER, DZ.CARDIO]), DZ.LEUKEMIA, serious
    )
    p.disease = np.select(
        [
            p.health == HS.SERIOUS,
            p.health == HS.CHRONIC,
            (p.health == HS.WEAK) & (rng.random(m) < 0.5),
        ],
        [serious, chronic, DZ.OTHER],
        default=DZ.NONE,
    )
    mental = p.disease == DZ.MENTAL
    disabled = (rng.random(m) < np.array([0.022, 0.04, 0.06, 0.085, 0.11])[band]) | (
        mental & (rng.random(m) < 0.5)
    )
    kind = _pick(
        rng,
        [DT.PHYSICAL, DT.HEARING, DT.VISUAL, DT.MULTIPLE, DT.INTELLECTUAL, DT.MENTAL, DT.SPEECH],
        [0.30, 0.18, 0.14, 0.12, 0.10, 0.10, 0.06],
        m,
    )
    kind = np.where(mental, DT.MENTAL, kind)
    p.disabled = disabled
    p.dis_type = np.where(disabled, kind, DT.NONE)
    p.grade = np.where(disabled, rng.choice([1, 2, 3, 4], size=m, p=[0.12, 0.26, 0.32, 0.30]), 0)
    p.severe = (p.grade >= 1) & (p.grade <= 2)
    u = rng.random(m)
    p.self_care = np.select(
        [
            (p.grade == 1) & (u < 0.5),
            (p.grade == 1) | ((p.grade == 2) & (u < 0.6)),
            (p.health == HS.SERIOUS) & (u < 0.1),
            ((p.health == HS.SERIOUS) & (u < 0.4))
            | ((p.disease == DZ.STROKE) & (u < 0.6))
            | ((age >= 80) & (u < 0.3)),
        ],
        [SC.NONE, SC.PARTIAL, SC.NONE, SC.PARTIAL],
        default=SC.FULL,
    )


def _work(rng, h, p, *, rural: np.ndarray) -> None:
    """Schooling by age, occupation and labour ability, wages, pensions, school costs."""
    m, age = p.m, p.age
    u = rng.random(m)
    a = age
    stage = np.select(
        [(a >= 3) & (a <= 5) & (u < 0.85), (a >= 6) & (a <= 11), (a >= 12) & (a <= 14) & (u < 0.985),
         (a >= 12) & (a <= 14), (a >= 15) & (a <= 17) & (u < 0.50), (a >= 15) & (a <= 17) & (u < 0.84),
         (a >= 15) & (a <= 17) & (u < 0.88), (a >= 18) & (a <= 22) & (u < 0.15),
         (a >= 18) & (a <= 22) & (u < 0.27), (a >= 23) & (a <= 24) & (u < 0.04),
         (a >= 23) & (a <= 25) & (u < 0.05)],
        [ST.PRESCHOOL, ST.PRIMARY, ST.JUNIOR, ST.DROPOUT, ST.SENIOR, ST.VOCATIONAL, ST.DROPOUT,
         ST.COLLEGE, ST.UNDERGRADUATE, ST.UNDERGRADUATE, ST.POSTGRADUATE],
        default=ST.NOT_IN_SCHOOL,
    )  # fmt: skip
    # Severe intellectual disability: mostly cared for at home rather than at school.
    stage = np.where(p.severe & (p.dis_type == DT.INTELLECTUAL), ST.NOT_IN_SCHOOL, stage)
    p.stage = stage
    p.studying = (stage != ST.NOT_IN_SCHOOL) & (stage != ST.DROPOUT)
    urban = ~rural[p.h]
    adult = _pick(
        rng,
        [OC.FARMER, OC.MIGRANT, OC.LOCAL_WORKER, OC.FLEXIBLE, OC.SELF_EMPLOYED, OC.EMPLOYEE,
         OC.UNEMPLOYED, OC.NONE],
        [0.42, 0.26, 0.11, 0.07, 0.04, 0.015, 0.05, 0.045],
        m,
    )  # fmt: skip
    young = _pick(
        rng,
        [OC.MIGRANT, OC.FARMER, OC.LOCAL_WORKER, OC.FLEXIBLE, OC.UNEMPLOYED],
        [0.45, 0.2, 0.15, 0.1, 0.1],
        m,
    )
    sixties = _pick(
        rng,
        [OC.FARMER, OC.NONE, OC.LOCAL_WORKER, OC.FLEXIBLE, OC.RETIRED, OC.SELF_EMPLOYED],
        [0.62, 0.22, 0.06, 0.03, 0.04, 0.03],
        m,
    )
    old = _pick(rng, [OC.NONE, OC.FARMER, OC.RETIRED, OC.INCAPABLE], [0.62, 0.28, 0.04, 0.06], m)
    # Nobody farms in a 社区.
    adult = np.where(urban & (adult == OC.FARMER), OC.FLEXIBLE, adult)
    young = np.where(urban & (young == OC.FARMER), OC.LOCAL_WORKER, young)
    sixties = np.where(urban & (sixties == OC.FARMER), OC.NONE, sixties)
    old = np.where(urban & (old == OC.FARMER), OC.NONE, old)
    incapable = (age >= 16) & (
        (p.grade == 1)
        | ((p.grade == 2) & (rng.random(m) < 0.7))
        | (p.self_care == SC.NONE)
        | ((p.health == HS.SERIOUS) & (rng.random(m) < 0.5))
    )
    occ = np.select(
        [age < 6, p.studying, age < 16, incapable, age < 23, age < 60, age < 70],
        [OC.PRESCHOOL, OC.STUDENT, OC.NONE, OC.INCAPABLE, young, adult, sixties],
        default=old,
    )
    p.occupation = occ
    working_age = (age >= 16) & (age < 60) & ~p.studying & (occ != OC.INCAPABLE)
    p.skill = np.where(
        working_age, _pick(rng, [SK.CERTIFIED, SK.SOME, SK.NONE], [0.07, 0.2, 0.73], m), SK.NONE
    )
    frail = (p.health != HS.HEALTHY) | (p.grade >= 3)
    p.labour = np.select(
        [occ == OC.INCAPABLE, (age < 16) | p.studying, (age >= 70) & (occ == OC.FARMER), age >= 70,
         age >= 60, frail, p.skill == SK.CERTIFIED],
        [LA.LOST, LA.NONE, LA.WEAK, LA.NONE, np.where(rng.random(m) < 0.6, LA.WEAK, LA.FULL),
         LA.WEAK, LA.SKILLED],
        default=LA.FULL,
    )  # fmt: skip
    wage = np.select(
        [occ == OC.MIGRANT, occ == OC.LOCAL_WORKER, occ == OC.EMPLOYEE, occ == OC.FLEXIBLE],
        [_lognormal(rng, 30000, 0.35, m), _lognormal(rng, 15000, 0.35, m),
         _lognormal(rng, 42000, 0.25, m), _lognormal(rng, 9000, 0.4, m)],
        default=0.0,
    )  # fmt: skip
    wage = np.where(p.labour == LA.WEAK, wage * 0.6, wage)
    p.wage = _round_to(np.clip(wage, 0, 120000), 100)
    # 城乡居民基础养老金 for everyone over 60; 退休金 for the few retired employees.
    p.pension = _round_to(
        np.select(
            [occ == OC.RETIRED, age >= 60],
            [_lognormal(rng, 36000, 0.25, m), rng.uniform(1500, 2400, m)],
            default=0.0,
        ),
        10,
    )
    cost = {
        ST.PRESCHOOL: (1200, 3600), ST.PRIMARY: (300, 1500), ST.JUNIOR: (600, 2500),
        ST.SENIOR: (2500, 6000), ST.VOCATIONAL: (2000, 5000), ST.COLLEGE: (7000, 14000),
        ST.UNDERGRADUATE: (9000, 20000), ST.POSTGRADUATE: (10000, 25000),
    }  # fmt: skip
    lo = np.zeros(len(ST.values))
    hi = np.zeros(len(ST.values))
    for s, (a_, b_) in cost.items():
        lo[s], hi[s] = a_, b_
    p.education = _round_to(lo[stage] + rng.random(m) * (hi[stage] - lo[stage]), 100)
    p.daily_med = np.select(
        [p.health == HS.SERIOUS, p.health == HS.CHRONIC, p.health == HS.WEAK, age >= 60],
        [rng.uniform(2000, 8000, m), rng.uniform(600, 4500, m), rng.uniform(200, 1500, m),
         rng.uniform(0, 500, m)],
        default=0.0,
    )  # fmt: skip
    p.serious_med = np.where(
        p.health == HS.SERIOUS, np.clip(_lognormal(rng, 18000, 0.8, m), 3000, 200000), 0.0
    )
    p.has_phone = rng.random(m) < np.where((age >= 18) & (age < 65), 0.5, 0.0)


def _per_household(p, n: int, values) -> np.ndarray:
    return np.bincount(p.h, weights=np.asarray(values, dtype=float), minlength=n)


def _property(rng, h, p, *, rural: np.ndarray) -> None:
    """Land, livestock, business and other income, medical costs, housing."""
    n = h.n
    agg = SimpleNamespace(
        serious=_per_household(p, n, p.health == HS.SERIOUS),
        chronic=_per_household(p, n, p.health == HS.CHRONIC),
        severe=_per_household(p, n, p.severe),
        grade3=_per_household(p, n, p.grade >= 3),
        able=_per_household(p, n, (p.labour == LA.FULL) | (p.labour == LA.SKILLED)),
        elder=_per_household(p, n, p.age >= 60),
        minor=_per_household(p, n, p.age < 18),
        students=_per_household(p, n, p.studying & (p.stage != ST.PRESCHOOL)),
        college=_per_household(p, n, (p.stage == ST.COLLEGE) | (p.stage == ST.UNDERGRADUATE)),
        unemployed=_per_household(p, n, p.occupation == OC.UNEMPLOYED),
        farmers=_per_household(p, n, p.occupation == OC.FARMER),
        self_employed=_per_household(p, n, p.occupation == OC.SELF_EMPLOYED),
        no_care=_per_household(p, n, p.self_care == SC.NONE) > 0,
        wages=_per_household(p, n, p.wage),
        pensions=_per_household(p, n, p.pension),
        education=_per_household(p, n, p.education),
    )
    h.agg = agg
    h.daily_med = _round_to(_per_household(p, n, p.daily_med), 10)
    h.serious_med = _round_to(_per_household(p, n, p.serious_med), 100)
    h.elderly_only = agg.elder == h.size

    planted = np.where(
        rural,
        np.clip(_lognormal(rng, 3.5, 0.5, n) * np.where(agg.able > 0, 1.0, 0.4), 0.3, 15),
        np.where(rng.random(n) < 0.05, rng.uniform(0.5, 1.5, n), 0.0),
    )
    h.planted = np.round(planted * 2) / 2
    h.transferred = np.where(rural & (rng.random(n) < 0.12), np.round(rng.uniform(1, 5, n)), 0.0)
    h.transfer_income = _round_to(h.transferred * rng.uniform(300, 900, n), 10)
    kind = np.where(
        rural,
        _pick(
            rng,
            [LV.NONE, LV.PIG, LV.POULTRY, LV.CATTLE, LV.SHEEP, LV.OTHER],
            [0.35, 0.30, 0.20, 0.08, 0.05, 0.02],
            n,
        ),
        LV.NONE,
    )
    h.livestock = np.where(h.elderly_only & (h.size == 1) & (rng.random(n) < 0.5), LV.NONE, kind)
    lo = np.zeros(len(LV.values), dtype=np.int64)
    hi = np.ones(len(LV.values), dtype=np.int64)
    price = np.zeros(len(LV.values))
    for k, (a, b, yuan) in {
        LV.PIG: (1, 7, 700), LV.CATTLE: (1, 6, 1500), LV.SHEEP: (4, 26, 200),
        LV.POULTRY: (6, 41, 40), LV.OTHER: (2, 11, 150),
    }.items():  # fmt: skip
        lo[k], hi[k], price[k] = a, b, yuan
    h.stock = np.where(
        h.livestock == LV.NONE,
        0,
        lo[h.livestock] + (rng.random(n) * (hi - lo)[h.livestock]).astype(np.int64),
    )
    h.sheds = np.select(
        [h.livestock == LV.NONE, h.livestock == LV.POULTRY], [0, 1], np.minimum(1 + h.stock // 3, 4)
    )
    business = (
        h.planted * rng.uniform(500, 1100, n) * np.where(agg.farmers > 0, 1.0, 0.5)
        + h.stock * price[h.livestock]
        + agg.self_employed * _lognormal(rng, 20000, 0.5, n)
    )
    h.business = _round_to(business, 100)
    h.rental = _round_to(
        np.where(rng.random(n) < np.where(rural, 0.02, 0.08), rng.uniform(1200, 7200, n), 0.0), 100
    )
    h.support = _round_to(
        np.where(
            (h.head_age >= 60) & (agg.able == 0) & (rng.random(n) < 0.45),
            rng.uniform(1000, 6000, n),
            0.0,
        ),
        100,
    )
    h.housing = np.where(
        rural,
        _pick(rng, [HO.SAFE, HO.DAMAGED, HO.GRADE_C, HO.GRADE_D, HO.NO_HOME],
              [0.80, 0.12, 0.045, 0.025, 0.01], n),
        _pick(rng, [HO.SAFE, HO.DAMAGED, HO.GRADE_C, HO.GRADE_D, HO.NO_HOME],
              [0.9, 0.08, 0.01, 0.005, 0.005], n),
    )  # fmt: skip
    tenure = np.where(
        rural,
        _pick(rng, [TE.OWN, TE.BORROWED, TE.RENT, TE.PUBLIC], [0.94, 0.04, 0.015, 0.005], n),
        _pick(rng, [TE.OWN, TE.RENT, TE.PUBLIC, TE.BORROWED], [0.6, 0.22, 0.1, 0.08], n),
    )
    h.tenure = np.where(h.housing == HO.NO_HOME, TE.BORROWED, tenure)
    h.rent = _round_to(
        np.select(
            [h.tenure == TE.RENT, h.tenure == TE.PUBLIC],
            [np.where(rural, rng.uniform(1200, 4800, n), rng.uniform(3000, 12000, n)),
             rng.uniform(600, 2400, n)],
            default=0.0,
        ),
        100,
    )  # fmt: skip


def _top_share(n: int, candidates: np.ndarray, share_of_all: float, key: np.ndarray) -> np.ndarray:
    """The candidates with the highest key, as many as `share_of_all` of all households."""
    k = min(round(share_of_all * n), int(candidates.sum()))
    chosen = np.zeros(n, dtype=bool)
    if k > 0:
        idx = np.flatnonzero(candidates)
        chosen[idx[np.argsort(-key[idx], kind="stable")[:k]]] = True
    return chosen


def _status(rng, h, p, *, rural: np.ndarray) -> None:
    """Status tags, 低保 per member, disability subsidies, assistance, special circumstances."""
    n, m, agg = h.n, p.m, h.agg
    income = agg.wages + agg.pensions + h.business + h.rental + h.support + h.transfer_income
    bad_housing = np.isin(h.housing, [HO.GRADE_C, HO.GRADE_D, HO.NO_HOME])
    need = (
        2.0 * (agg.serious > 0) + 1.5 * (agg.severe > 0) + 0.7 * agg.grade3
        + 1.2 * (agg.able == 0) + 0.8 * h.elderly_only + 0.6 * (h.type == SINGLE_PARENT)
        + 0.8 * (income / h.size < 6000) + 0.5 * bad_housing + 0.3 * agg.chronic
        + 0.4 * (agg.college > 0) + rng.normal(0, 1.0, n)
    )  # fmt: skip
    u = rng.random(n)
    # 特困: no working-age support at all (alone and old, or alone and severely disabled).
    eligible = ((h.type == ELDER_SINGLE) & (h.support == 0)) | (
        (h.type == ADULT_SINGLE) & ((agg.severe > 0) | (agg.able == 0))
    )
    h.tekun = eligible & (u < 0.05 / max(eligible.mean(), 0.05))
    skipped = h.type == SKIPPED_GEN
    h.orphan = skipped & (u < 0.06)
    h.unsupported = skipped & (u >= 0.06) & (u < 0.18)
    h.dibao = _top_share(n, ~h.tekun, 0.45, need)
    h.edge = _top_share(n, ~h.tekun & ~h.dibao, 0.10, need)
    h.monitored = _top_share(n, rural, 0.10, need + rng.normal(0, 1.5, n))
    rigid_ratio = (h.serious_med + h.daily_med + agg.education) / np.maximum(income, 1000)
    h.rigid = _top_share(n, ~h.tekun & ~h.dibao & ~h.edge & (rigid_ratio > 0.25), 0.08, rigid_ratio)

    # 低保: usually the whole household, sometimes only its neediest member (单人保).
    individual = h.dibao & (rng.random(n) < 0.2)
    priority = (
        4.0 * (p.health == HS.SERIOUS) + 3 * p.severe + 2 * p.disabled + 0.5 * (p.cat == HEAD)
    )
    neediest = _first_per_group(p.h, priority)
    status = np.where(h.dibao[p.h] & ~individual[p.h], DB.HOUSEHOLD, DB.NONE)
    status[neediest[individual]] = DB.INDIVIDUAL
    p.dibao = status
    # Care subsidy for grades 1–2; living subsidy for disabled people under 低保 or 特困.
    poor = (h.dibao | h.tekun)[p.h]
    care = p.severe & (rng.random(m) < 0.85)
    living = p.disabled & poor & (rng.random(m) < 0.9)
    p.dis_subsidy = np.select(
        [care & living, care, living], [DS.BOTH, DS.CARE, DS.LIVING], default=DS.NONE
    )
    n_living = _per_household(p, n, (p.dis_subsidy == DS.LIVING) | (p.dis_subsidy == DS.BOTH))
    n_care = _per_household(p, n, (p.dis_subsidy == DS.CARE) | (p.dis_subsidy == DS.BOTH))
    covered = np.where(individual, 1, h.size)
    h.subsidy = _round_to(
        h.dibao * covered * rng.uniform(3000, 4500, n)
        + h.tekun * h.size * rng.uniform(9000, 10500, n)
        + (h.orphan | h.unsupported) * agg.minor * 13200
        + n_living * 960
        + n_care * 1200
        + h.planted * 80,  # 耕地地力保护补贴
        10,
    )

    Sp = c.Special
    death = rng.random(n) < np.where(h.type == SINGLE_PARENT, 0.12, 0.015)
    disaster = rural & (rng.random(n) < 0.025)
    accident = rng.random(n) < 0.015
    alone = (h.type == ELDER_SINGLE) & (rng.random(n) < 0.85)
    h.special = _json_lists(
        {
            Sp.LIVING_ALONE_ELDER.value: alone,
            Sp.LEFT_BEHIND_ELDER.value: (h.type == ELDER_COUPLE) & (rng.random(n) < 0.45),
            Sp.LEFT_BEHIND_CHILD.value: skipped
            & ~h.orphan
            & ~h.unsupported
            & (rng.random(n) < 0.8),
            Sp.SINGLE_PARENT.value: (h.type == SINGLE_PARENT) & (rng.random(n) < 0.9),
            Sp.PRISONER_FAMILY.value: rng.random(n)
            < np.where(h.unsupported | (h.type == SINGLE_PARENT), 0.1, 0.002),
            Sp.DISASTER.value: disaster,
            Sp.ACCIDENT.value: accident,
            Sp.DEATH.value: death,
            Sp.DEBT.value: ((agg.serious > 0) & (rng.random(n) < 0.4))
            | ((agg.college > 0) & (rng.random(n) < 0.25)),
            Sp.OTHER.value: rng.random(n) < 0.01,
        },
        n,
    )
    h.loss = _round_to(
        np.select(
            [disaster, accident], [rng.uniform(2000, 40000, n), rng.uniform(3000, 30000, n)], 0.0
        ),
        100,
    )
    h.note = Cat(
        _NOTES,
        np.select(
            [disaster, accident],
            [rng.integers(*_DISASTER_NOTES, n), rng.integers(*_ACCIDENT_NOTES, n)],
            default=0,
        ),
    )
    A = c.Assistance
    helped = h.dibao | h.tekun | h.edge | h.monitored | h.orphan | h.unsupported
    h.assistance = _json_lists(
        {
            A.DIBAO.value: h.dibao,
            A.TEKUN.value: h.tekun,
            A.TEMPORARY.value: rng.random(n) < np.where(disaster | accident | death, 0.6, 0.05),
            A.MEDICAL.value: (agg.serious > 0) & (rng.random(n) < np.where(helped, 0.85, 0.3)),
            A.EDUCATION.value: (agg.students > 0) & helped & (rng.random(n) < 0.85),
            A.HOUSING.value: (np.isin(h.housing, [HO.GRADE_C, HO.GRADE_D]) & (rng.random(n) < 0.35))
            | ((h.housing == HO.SAFE) & rural & (rng.random(n) < 0.04)),
            A.DISABILITY.value: (n_living + n_care) > 0,
            A.ORPHAN.value: h.orphan,
            A.UNSUPPORTED_CHILD.value: h.unsupported,
            A.EMPLOYMENT.value: (agg.unemployed > 0) & (rng.random(n) < 0.3),
            A.INSURANCE.value: h.monitored & (rng.random(n) < 0.7),
            A.MICROCREDIT.value: h.monitored & (agg.able > 0) & (rng.random(n) < 0.2),
            A.CHARITY.value: rng.random(n) < np.where(h.orphan | h.unsupported, 0.3, 0.04),
            A.SERVICE.value: (agg.no_care | alone) & (rng.random(n) < 0.25),
        },
        n,
    )


def _assets(rng, h) -> None:
    """Deposits and motor vehicles, checked against the county's asset limits.

    Most hardship households hold little or nothing in the bank; those already
    under 低保 or 特困 hold less still. A few hold more than the limit (per person,
    as the economic check counts it) or own a car or van (the default limit is
    none), so the asset check fails for some of them, as it does in the field."""
    n, agg = h.n, h.agg
    assisted = h.dibao | h.tekun | h.orphan | h.unsupported
    limit = float(DEFAULT_STANDARD["asset_limit_per_person"]) * h.size
    saved = rng.random(n) < np.where(assisted, 0.45, 0.65)
    body = np.minimum(
        _lognormal(rng, 1.0, 1.0, n) * np.where(assisted, 2000.0, 5000.0) * np.sqrt(h.size),
        limit * 0.95,
    )
    over = rng.random(n) < np.where(assisted, 0.004, 0.035)
    deposits = np.where(over, limit * rng.uniform(1.05, 2.5, n), np.where(saved, body, 0.0))
    h.deposits = _round_to(deposits, 100)
    # A second-hand car or van, mostly where someone can still work (and drive).
    p_vehicle = np.where(assisted, 0.015, np.where(agg.able > 0, 0.13, 0.03))
    h.vehicles = (rng.random(n) < p_vehicle).astype(np.int64)


def _veterans(rng, p) -> None:
    """退役军人: mostly men who served as conscripts at 18–22 and came home.

    About one adult man in seventy in these households has served (fewer among
    the oldest, none yet among those under 22); a woman very rarely. Nobody with
    an intellectual disability was enlisted."""
    age = p.age
    band = np.digitize(age, [22, 40, 65, 85])  # <22, 22–39, 40–64, 65–84, 85+
    men = np.array([0.0, 0.012, 0.019, 0.015, 0.006])[band]
    women = np.where((age >= 22) & (age < 60), 0.0008, 0.0)
    chance = np.where(p.male, men, women)
    chance = np.where(p.dis_type == DT.INTELLECTUAL, 0.0, chance)
    p.veteran = rng.random(p.m) < chance


def _phones(rng, has_phone: np.ndarray) -> pl.Series:
    n = len(has_phone)
    frame = pl.DataFrame(
        {
            "has": has_phone,
            "prefix": Cat(_PHONE_PREFIXES, rng.integers(0, len(_PHONE_PREFIXES), n)).series(),
            "rest": pl.Series(rng.integers(0, 10**8, n)).cast(pl.String).str.zfill(8),
        }
    )
    return frame.select(
        pl.when("has").then(pl.col("prefix") + pl.col("rest")).otherwise(pl.lit(""))
    ).to_series()


@dataclass
class Chunk:
    households: dict
    members: dict
    n_households: int
    n_members: int


def make_chunk(
    rng: np.random.Generator,
    *,
    villages: Villages,
    village_idx: np.ndarray,
    seq: np.ndarray,
    width: np.ndarray,
    created_at: np.ndarray,
    first_household_id: int,
    first_member_id: int,
    today: dt.date,
    allocator: IdAllocator,
    sealer: Sealer,
    creators: list[int | None],
    timings: dict[str, float],
) -> Chunk:
    t0 = time.perf_counter()
    rural = villages.rural[village_idx]
    h, p = _compose(rng, len(village_idx))
    n, m = h.n, p.m
    _people(rng, h, p, today=today, allocator=allocator)
    _health(rng, p)
    _work(rng, h, p, rural=rural)
    _property(rng, h, p, rural=rural)
    _status(rng, h, p, rural=rural)
    _assets(rng, h)
    _veterans(rng, p)

    # Where: village, group, address, household number.
    count = villages.group_count[village_idx]
    group = villages.group_start[village_idx] + (rng.random(n) * count).astype(np.int64)
    group = np.where(count > 0, group, len(villages.group_codes))  # past the end = no group
    group_codes = Cat([*villages.group_codes, None], group).series()
    group_names = Cat([*villages.group_names, ""], group).series()
    places = pl.DataFrame(
        {
            "township": Cat(villages.township_names, village_idx).series(),
            "village": Cat(villages.names, village_idx).series(),
            "group": group_names,
            "no": pl.Series(rng.integers(1, 120, n)).cast(pl.String),
            "seq": pl.Series(seq).cast(pl.String),
            "wide": width[village_idx] == 5,
            "code": Cat(villages.codes, village_idx).series(),
        }
    )
    places = places.select(
        address=pl.concat_str(["township", "village", "group", "no", pl.lit("号")]),
        number=pl.col("code")
        + pl.when("wide").then(pl.col("seq").str.zfill(5)).otherwise(pl.col("seq").str.zfill(4)),
    )
    surveyed = created_at.astype("datetime64[D]") - rng.integers(0, 21, n).astype("timedelta64[D]")
    head_rows = np.flatnonzero(p.cat == HEAD)  # one per household, in household order
    ids_h = first_household_id + np.arange(n)
    created = pl.Series(created_at.astype("datetime64[us]"))
    households = {
        "id": ids_h,
        "number": places["number"],
        "village_id": Cat(villages.codes, village_idx),
        "group_id": group_codes,
        "address": places["address"],
        "phone": _phones(rng, rng.random(n) < 0.85),
        "source": Cat(
            SO.values,
            _pick(
                rng,
                [SO.SURVEY, SO.WINDOW, SO.SELF_REPORT, SO.HOTLINE, SO.WARNING, SO.IMPORT],
                [0.70, 0.15, 0.05, 0.03, 0.05, 0.02],
                n,
            ),
        ),
        "tag_tekun": h.tekun,
        "tag_dibao": h.dibao,
        "tag_dibao_edge": h.edge,
        "tag_orphan": h.orphan,
        "tag_unsupported_child": h.unsupported,
        "tag_monitored": h.monitored,
        "tag_rigid_expense": h.rigid,
        "business_income": h.business,
        "rental_income": h.rental,
        "support_income": h.support,
        "subsidy_income": h.subsidy,
        "land_planted_mu": h.planted,
        "land_transferred_mu": h.transferred,
        "land_transfer_income": h.transfer_income,
        "livestock_sheds": h.sheds,
        "livestock_kind": Cat(LV.values, h.livestock),
        "livestock_count": h.stock,
        "deposits": h.deposits,
        "vehicles": h.vehicles,
        "serious_illness_expense": h.serious_med,
        "daily_medical_expense": h.daily_med,
        "housing_safety": Cat(HO.values, h.housing),
        "housing_tenure": Cat(TE.values, h.tenure),
        "rent_expense": h.rent,
        "assistance_received": h.assistance,
        "special_circumstances": h.special,
        "disaster_loss": h.loss,
        "special_note": h.note,
        "head_name": p.name.gather(head_rows),
        "member_count": h.size,
        "surveyed_on": pl.Series(surveyed),
        "created_by_id": pl.Series([creators[v] for v in range(len(creators))]).gather(village_idx),
        "created_at": created,
        "updated_at": created,
    }
    masked = p.ids.copy()
    masked[:, 6:14] = ord("*")  # idnumber.mask: address code and the last four only
    members = {
        "id": first_member_id + np.arange(m),
        "household_id": ids_h[p.h],
        "relation": Cat(R.values, p.relation),
        "name": p.name,
        "id_masked": _ascii_series(masked),
        "sex": Cat(["F", "M"], p.male.astype(np.int64)),
        "birth_date": pl.Series(p.birth),
        "phone": _phones(rng, p.has_phone),
        "occupation": Cat(OC.values, p.occupation),
        "labour_ability": Cat(LA.values, p.labour),
        "skill": Cat(SK.values, p.skill),
        "wage_income": p.wage,
        "pension_income": p.pension,
        "health_status": Cat(HS.values, p.health),
        "disease": Cat(DZ.values, p.disease),
        "self_care": Cat(SC.values, p.self_care),
        "dibao_status": Cat(DB.values, p.dibao),
        "disability_type": Cat(DT.values, p.dis_type),
        "disability_grade": p.grade,
        "disability_subsidy": Cat(DS.values, p.dis_subsidy),
        "school_stage": Cat(ST.values, p.stage),
        "education_expense": p.education,
        "veteran": p.veteran,
    }
    timings["generate"] += time.perf_counter() - t0

    t0 = time.perf_counter()
    plain = np.ascontiguousarray(p.ids).view("S18").ravel().tolist()
    members["id_cipher"] = sealer.encrypt(plain)
    members["id_hash"] = sealer.hash(plain)
    timings["crypto"] += time.perf_counter() - t0
    return Chunk(households, members, n, m)
