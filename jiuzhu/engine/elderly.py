"""老年人能力评估 by GB/T 42195-2022《老年人能力评估规范》: 26 items → level 0–4.

What the code follows, and where it was checked (the standard's own text was not
available to us; these are public implementations and a training article that
quote it, and they agree with each other):

- Annex B items and scores. B.1 自理能力 8 items × 0–4 (32); B.2 基础运动能力
  B.2.1–B.2.3 0–4, B.2.4 上下楼梯 0–3 (15); B.3 精神状态 B.3.1–B.3.6 0–4,
  B.3.7 攻击行为 and B.3.8 抑郁症状 0–1, B.3.9 意识水平 0–2 (28); B.4 感知觉与
  社会参与 B.4.1 视力 and B.4.2 听力 0–2, B.4.3 0–4, B.4.4 使用交通工具外出 0–3,
  B.4.5 0–4 (15). Total 90. Sources: a near-verbatim copy of Annex B in a public
  Python repository (comment block of an OnlyOffice test script), the seed data
  and its test `max score = 90; B1 32, B2 15, B3 28, B4 15` in
  devvanglin/KangxiaobanAI_OC (kangxiaoban-service/internal/database/admission_seed.go,
  internal/service/admission_service_test.go), and a Vue form of the same
  table. One Vue form scores B.4.4 0–2; that cannot reach 90, so it is wrong.
- Bands of the total (初步等级): 90 能力完好; 66–89 轻度受损; 46–65 中度受损;
  30–45 重度受损; 0–29 完全丧失. Same three sources (kangxiaoban's
  defaultAbilityLevelRules and the result cards of the Vue form).
- Level changes (Annex C, C.4 能力等级变更依据, citing A.5.11 昏迷, A.4.1 疾病
  诊断 and A.2.14 近30天内照护风险事件):
  处于昏迷状态者, 直接评定为能力完全丧失(完全失能);
  确诊为痴呆(F00–F03)、精神科专科医生诊断的其他精神和行为障碍疾病(F04–F99),
  在原有能力级别上提高一个等级;
  近30天内发生过2次及以上照护风险事件(如跌倒、噎食、自杀、自伤、走失等),
  在原有能力级别上提高一个等级.
  Sources: the Vue form's C.4 text, kangxiaoban's adjustment rules, and
  http://www.leayin.com/a/ad/zhiye/20260202/2755.html (评估师培训解读).
  The copy of Annex B carries, under B.3.9, the older note "处于昏迷状态者,直接
  评定为重度失能": that is MZ/T 039-2013 wording, where 重度失能 was the top of
  four levels; the 2022 report section and every 2022 source say 能力完全丧失,
  so we follow them (both mean "the most severe level").
- Do the raises stack? No: one level at most, whatever the number of reasons.
  The wording is "有以下情况之一者/满足以下任一条件 … 上调一个能力等级" (the
  training article), kangxiaoban applies "the strongest configured worsening
  only once" and tests "two adjustment reasons worsen once", and a second,
  independent Vue implementation raises once when either condition holds.
  The level is capped at 4.
- The risk-event count is the total over all kinds of events in the last 30
  days (kangxiaoban sums the A.2.14 counts: "合计达到2次及以上").
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

STANDARD = "GB/T 42195-2022"


class Item(NamedTuple):
    """One Annex B item: its name, what it measures, and its score options."""

    name: str
    description: str
    options: tuple[tuple[int, str], ...]  # (score, short description), best first

    @property
    def scores(self) -> tuple[int, ...]:
        return tuple(sorted(score for score, _ in self.options))

    @property
    def max_score(self) -> int:
        return max(score for score, _ in self.options)


# The five-step help scale shared by most self-care and motor items.
_HELP = (
    (4, "独立完成,不需要协助"),
    (3, "在他人指导或提示下完成"),
    (2, "需要他人协助,但以自身完成为主"),
    (1, "主要依靠他人协助,自身能给予配合"),
    (0, "完全依赖他人协助,且不能给予配合"),
)
_SEEN = ((1, "未出现"),)

DIMENSIONS: dict[str, str] = {
    "B.1": "自理能力",
    "B.2": "基础运动能力",
    "B.3": "精神状态",
    "B.4": "感知觉与社会参与",
}

# Option texts are short paraphrases of Annex B, for a form; the form should
# still be filled by a trained assessor with the standard at hand.
ITEMS: dict[str, Item] = {
    "B.1.1": Item("进食", "使用适当的器具将食物送入口中并咽下", (
        (4, "独立使用器具进食并咽下,没有呛咳"),
        (3, "在指导或提示下完成,或独立使用辅具,没有呛咳"),
        (2, "至少需要少量接触式协助,偶尔(每月一次及以上)呛咳"),
        (1, "需要大量接触式协助,经常(每周一次及以上)呛咳"),
        (0, "完全依赖他人协助进食,或吞咽困难,或留置营养管"),
    )),
    "B.1.2": Item("修饰", "洗脸、刷牙、梳头、刮脸、剪指(趾)甲等", _HELP),
    "B.1.3": Item("洗澡", "清洗和擦干身体", _HELP),
    "B.1.4": Item("穿/脱上衣", "穿/脱上身衣服、系扣、拉拉链等", _HELP),
    "B.1.5": Item("穿/脱裤子和鞋袜", "穿/脱裤子、鞋袜等", _HELP),
    "B.1.6": Item("小便控制", "控制和排出尿液的能力", (
        (4, "可自行控制排尿,次数和控制均正常"),
        (3, "白天可自行控制,夜间次数增多或控制较差,或自行使用尿布、尿垫"),
        (2, "白天大部分时间可控制,偶有尿失禁,或需他人少量协助使用尿布、尿垫"),
        (1, "白天大部分时间不能控制,夜间尿失禁,或需他人大量协助使用尿布、尿垫"),
        (0, "小便失禁,完全不能控制,或留置导尿管"),
    )),
    "B.1.7": Item("大便控制", "控制和排出粪便的能力", (
        (4, "可正常自行控制大便排出"),
        (3, "有时便秘或大便失禁,或自行使用开塞露、尿垫等"),
        (2, "经常便秘或大便失禁,或需他人少量协助使用开塞露、尿垫等"),
        (1, "大部分时间便秘或大便失禁,或需他人大量协助"),
        (0, "严重便秘或完全大便失禁,需依赖他人协助排便或清洁皮肤"),
    )),
    "B.1.8": Item("如厕", "上厕所排泄大小便,包括解裤、清洁身体、穿裤", _HELP),
    "B.2.1": Item("床上体位转移", "卧床翻身及坐起躺下", _HELP),
    "B.2.2": Item("床椅转移", "从坐位到站位、再从站位到坐位的转换", _HELP),
    "B.2.3": Item("平地行走", "双脚交互在地面行动(含他人辅助和使用辅具)", (
        (4, "独立平地行走50米左右,不需协助,无摔倒风险"),
        (3, "能行走50米左右,有跌倒风险,需监护指导或使用拐杖、助行器"),
        (2, "步行时需要他人少量扶持协助"),
        (1, "步行时需要他人大量扶持协助"),
        (0, "完全不能步行"),
    )),
    "B.2.4": Item("上下楼梯", "双脚交替连续上下楼梯台阶", (
        (3, "可独立上下楼梯(连续10~15个台阶),不需要协助"),
        (2, "在他人指导或提示下完成"),
        (1, "需要他人协助,但以自身完成为主"),
        (0, "主要依靠或完全依赖他人协助"),
    )),
    "B.3.1": Item("时间定向", "知道并确认时间的能力", (
        (4, "年、月清楚,日期或星期几可相差一天"),
        (3, "年、月、日或星期几不能全部分清"),
        (2, "年、月、日不清楚,可知上半年或下半年或季节"),
        (1, "年、月、日不清楚,可知上午、下午或白天、夜间"),
        (0, "无时间观念"),
    )),
    "B.3.2": Item("空间定向", "知道并确认空间的能力", (
        (4, "能在日常生活范围内单独外出"),
        (3, "不能单独外出,但能准确知道日常生活所在地的地址"),
        (2, "不能单独外出,但知道较多有关日常生活的地址信息"),
        (1, "不能单独外出,只知道较少居住地的地址信息"),
        (0, "不能单独外出,无空间观念"),
    )),
    "B.3.3": Item("人物定向", "知道并确认人物的能力", (
        (4, "认识长期共同生活的人,能称呼并知道关系"),
        (3, "认识大部分共同生活的人,能称呼或知道关系"),
        (2, "认识部分日常同住的亲人或照护者"),
        (1, "只认识自己或极少数日常同住的亲人或照护者"),
        (0, "不认识任何人(包括自己)"),
    )),
    "B.3.4": Item("记忆", "短时、近期和远期记忆能力", (
        (4, "记忆能力与社会、年龄相适应,能完整回忆"),
        (3, "轻度记忆紊乱或即时回忆不能"),
        (2, "中度记忆紊乱或近期记忆不能(如不记得上一顿饭)"),
        (1, "重度记忆紊乱或远期记忆不能(如不记得老朋友)"),
        (0, "记忆完全紊乱或完全不能回忆"),
    )),
    "B.3.5": Item("理解能力", "理解语言和非语言信息的能力(可借助助听设备)", (
        (4, "能正常理解他人的话"),
        (3, "能理解他人的话,但需要增加时间"),
        (2, "理解有困难,需要频繁重复或简化表达"),
        (1, "理解有严重困难,需要大量他人帮助"),
        (0, "完全不能理解他人的话"),
    )),
    "B.3.6": Item("表达能力", "以口头或非口头方式表达自己想法的能力", (
        (4, "能正常表达自己的想法"),
        (3, "能表达自己的需要,但需要增加时间"),
        (2, "表达需要有困难,需频繁重复或简化"),
        (1, "表达有严重困难,需要大量他人帮助"),
        (0, "完全不能表达需要"),
    )),
    "B.3.7": Item("攻击行为", "身体或语言攻击行为", _SEEN + ((0, "近一个月内出现过攻击行为"),)),
    "B.3.8": Item("抑郁症状", "情绪低落、兴趣减退、活力减退等", _SEEN + ((0, "近一个月内出现过负性情绪"),)),
    "B.3.9": Item("意识水平", "对自身和周围环境刺激做出应答的能力", (
        (2, "神志清醒,对周围环境能做出正确反应"),
        (1, "嗜睡或意识模糊,呼唤或推动时可唤醒"),
        (0, "昏睡,或昏迷"),
    )),
    "B.4.1": Item("视力", "在个体的最好矫正视力下评估", (
        (2, "视力正常"),
        (1, "能看清大字体或辨认物体,但看不清书报标准字体"),
        (0, "只能看到光、颜色和形状,或完全失明"),
    )),
    "B.4.2": Item("听力", "辨别声音的能力(可借助助听设备)", (
        (2, "听力正常"),
        (1, "轻声或两米以外听不清,正常交流需安静环境或大声说话"),
        (0, "大声或很慢说话才能部分听见,或完全失聪"),
    )),
    "B.4.3": Item("执行日常事务", "计划、安排并完成洗衣、小额购物、服药管理等", (
        (4, "能完全独立计划、安排和完成日常事务"),
        (3, "需要他人监护或指导"),
        (2, "需要少量协助"),
        (1, "需要大量协助"),
        (0, "完全依赖他人进行日常事务"),
    )),
    "B.4.4": Item("使用交通工具外出", "使用交通工具外出的能力", (
        (3, "能自己骑车或搭乘公共交通工具外出"),
        (2, "能自己搭乘出租车,但不会搭乘其他公共交通工具"),
        (1, "有人协助或陪伴时可搭乘公共交通工具外出"),
        (0, "只能在协助下乘出租车或私家车外出,或完全不能出门"),
    )),
    "B.4.5": Item("社会交往能力", "参与社会、与人交往的能力", (
        (4, "参与社会,有一定适应能力,待人接物恰当"),
        (3, "能适应单纯环境,主动接触他人"),
        (2, "脱离社会,可被动接触,谈话中很多不适词句"),
        (1, "勉强可与他人接触,谈吐内容不清楚,表情不恰当"),
        (0, "不能与人交往"),
    )),
}  # fmt: skip

MAX_TOTAL = sum(item.max_score for item in ITEMS.values())  # 90

LEVEL_NAMES: dict[int, str] = {
    0: "能力完好",
    1: "能力轻度受损(轻度失能)",
    2: "能力中度受损(中度失能)",
    3: "能力重度受损(重度失能)",
    4: "能力完全丧失(完全失能)",
}

# (lowest total, highest total, level), best first.
LEVEL_BANDS: tuple[tuple[int, int, int], ...] = (
    (90, 90, 0),
    (66, 89, 1),
    (46, 65, 2),
    (30, 45, 3),
    (0, 29, 4),
)

RISK_EVENTS_THRESHOLD = 2  # 近30天内 2 次及以上照护风险事件


@dataclass(frozen=True)
class ElderlyAbility:
    total: int  # 0–90
    subtotals: dict[str, int]  # "B.1" … "B.4" → subtotal
    initial_level: int  # from the total alone (老年人能力初步等级)
    level: int  # after the change rules (老年人能力最终等级)
    level_name: str
    initial_level_name: str
    raised: bool  # raised one level by dementia / mental disorder / risk events
    coma: bool
    reasons: tuple[str, ...]

    @property
    def self_care(self) -> int:
        return self.subtotals["B.1"]

    @property
    def motor(self) -> int:
        return self.subtotals["B.2"]

    @property
    def mental(self) -> int:
        return self.subtotals["B.3"]

    @property
    def perception_social(self) -> int:
        return self.subtotals["B.4"]


def level_for_total(total: int) -> int:
    """The initial level (0–4) of a total score, by the standard's bands."""
    for low, high, level in LEVEL_BANDS:
        if low <= total <= high:
            return level
    raise ValueError(f"总分应为 0–{MAX_TOTAL} 的整数,收到 {total!r}")


def band_text(level: int) -> str:
    """The total-score band of a level, e.g. "66–89"."""
    low, high, _ = next(band for band in LEVEL_BANDS if band[2] == level)
    return f"{low}" if low == high else f"{low}–{high}"


def elderly_ability(
    items: Mapping[str, int],
    coma: bool = False,
    dementia: bool = False,
    mental_disorder: bool = False,
    risk_events_30d: int = 0,
) -> ElderlyAbility:
    """Grade an older person's ability by GB/T 42195-2022 from the 26 item scores.

    items: "B.1.1" … "B.4.5" → score (all 26 required, each an allowed integer).
    coma: 处于昏迷状态 (A.5.11) — the level is 4 whatever the scores.
    dementia: 确诊为痴呆 (F00–F03); mental_disorder: 精神科专科医生诊断的其他精神和
        行为障碍疾病 (F04–F99); risk_events_30d: 近30天内照护风险事件的总次数 (A.2.14).
        Any of these (dementia, mental disorder, ≥ 2 events) raises the level by
        one — once, not once per reason — capped at 4.
    """
    scores = _validated(items)
    if not _is_integer(risk_events_30d) or risk_events_30d < 0:
        raise ValueError(f"近30天照护风险事件次数应为非负整数,收到 {risk_events_30d!r}")

    subtotals = {dim: 0 for dim in DIMENSIONS}
    for code, score in scores.items():
        subtotals[code[:3]] += score
    total = sum(subtotals.values())
    initial = level_for_total(total)
    parts = ",".join(
        f"{name}{subtotals[dim]}/{_dimension_max(dim)}" for dim, name in DIMENSIONS.items()
    )
    band = "为满分" if initial == 0 else f"在 {band_text(initial)} 分之间"
    reasons = [
        f"总分 {total} 分({parts})",
        f"总分 {total} 分{band},初步等级为 {initial} 级 {LEVEL_NAMES[initial]}",
    ]

    raising = []
    if dementia:
        raising.append("确诊为痴呆(F00–F03)")
    if mental_disorder:
        raising.append("精神科专科医生诊断的其他精神和行为障碍疾病(F04–F99)")
    if risk_events_30d >= RISK_EVENTS_THRESHOLD:
        raising.append(f"近30天内发生过 {risk_events_30d} 次照护风险事件(2次及以上)")
    elif risk_events_30d:
        reasons.append(f"近30天内发生过 {risk_events_30d} 次照护风险事件,未达 2 次,不因此调整等级")

    raised = False
    if coma:
        level = 4
        reasons.append(f"处于昏迷状态,直接评定为 4 级 {LEVEL_NAMES[4]}")
        if scores["B.3.9"] > 0:
            reasons.append(f"注意:B.3.9 意识水平记为 {scores['B.3.9']} 分,与昏迷状态不一致,请核实")
        if raising:
            reasons.append("另有" + "、".join(raising) + ",已为最高等级,不再调整")
    elif raising:
        level = min(initial + 1, 4)
        raised = level > initial
        why = "、".join(raising)
        if initial == 4:
            reasons.append(f"{why};初步等级已为 4 级(最高等级),不再提高")
        elif len(raising) > 1:
            reasons.append(f"{why};按标准只在原有能力级别上提高一个等级:{initial} 级 → {level} 级")
        else:
            reasons.append(f"{why},在原有能力级别上提高一个等级:{initial} 级 → {level} 级")
    else:
        level = initial
    reasons.append(f"最终等级:{level} 级 {LEVEL_NAMES[level]}")

    return ElderlyAbility(
        total=total,
        subtotals=subtotals,
        initial_level=initial,
        level=level,
        level_name=LEVEL_NAMES[level],
        initial_level_name=LEVEL_NAMES[initial],
        raised=raised,
        coma=bool(coma),
        reasons=tuple(reasons),
    )


def _is_integer(value) -> bool:
    # numpy integers count (scores may come from a DataFrame); bool is an int in
    # Python, but a checkbox value is not a score.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _dimension_max(dim: str) -> int:
    return sum(item.max_score for code, item in ITEMS.items() if code.startswith(dim + "."))


def _validated(items: Mapping[str, int]) -> dict[str, int]:
    if not isinstance(items, Mapping):
        raise ValueError("items 应为 项目编号 → 分值 的映射,如 {'B.1.1': 4, …}")
    unknown = [str(code) for code in items if code not in ITEMS]
    if unknown:
        raise ValueError(
            f"未知的评估项目编号:{'、'.join(unknown)}(应为 B.1.1–B.4.5 共 {len(ITEMS)} 项)"
        )
    absent = [code for code in ITEMS if code not in items]
    if absent:
        named = "、".join(f"{code} {ITEMS[code].name}" for code in absent)
        raise ValueError(f"缺少评估项目:{named}")
    scores = {}
    for code, item in ITEMS.items():
        score = items[code]
        if not (_is_integer(score) and score in item.scores):
            raise ValueError(
                f"{code} {item.name} 的分值应为 0–{item.max_score} 的整数,收到 {score!r}"
            )
        scores[code] = int(score)
    return scores
