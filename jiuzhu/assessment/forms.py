"""Forms of the assessment pages: the model's parameters as labelled number boxes,
the county's 低保 standard, and the elderly-ability items.

The model form is built from the model data itself (every number becomes a
box, every [threshold, points] list a small table), so a parameter the lead
adds to DEFAULT_MODEL appears here without a code change; LABELS only gives it
a Chinese name.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django import forms

from jiuzhu.engine.elderly import DIMENSIONS, ITEMS
from jiuzhu.engine.factors import CIRCUMSTANCE_LABELS, SAFETY_LABELS, STAGE_LABELS
from jiuzhu.engine.model import DEFAULT_MODEL, FACTOR_LABELS, FACTORS, ModelError, validate
from jiuzhu.validators import validate_line, validate_multiline

from .models import EconomicStandard

SEP = "__"  # path separator inside form field names (a dot would break CSS ids)
EXTRA_STEP_ROWS = 2  # empty rows under each step table, for adding a step

LABOUR_LABELS = {
    "full": "普通劳动力",
    "skilled": "技能劳动力",
    "weak": "弱劳动力或半劳动力",
    "lost": "丧失劳动力",
    "none": "无劳动力(未成年或高龄)",
}

# path → (label, hint). Paths not listed fall back to their last key.
LABELS: dict[str, tuple[str, str]] = {
    "cause_threshold": ("致困认定分值", "因子得分达到此值即认定为致困原因"),
    "multi_cause_min": ("多因致困所需因子数", "致困因子达到此数即为多因致困"),
    "illness.serious_one": ("一人患大病", "分"),
    "illness.serious_many": ("两人患大病", "分;每多一人再加两者之差"),
    "illness.chronic_one": ("一人患慢性病或体弱", "分"),
    "illness.chronic_many": ("两人及以上患慢性病或体弱", "分"),
    "illness.expense_steps": ("年医疗自付支出档位", "支出达到(元)→ 加分"),
    "schooling.stage_cap": ("在学分值上限", "各学段分值合计的封顶分"),
    "schooling.expense_share_steps": ("教育支出占家庭收入比例档位", "比例达到(0.3 即 30%)→ 加分"),
    "schooling.dropout_score": ("因经济困难辍学", "分"),
    "housing.rent_share_steps": ("租房支出占家庭收入比例档位", "比例达到 → 加分"),
    "disaster.event_points": ("登记遭受灾害或意外事故", "分"),
    "disaster.loss_steps": ("灾害或意外损失档位", "损失达到(元)→ 分值"),
    "employment.working_age": ("劳动年龄段", "岁(含两端)"),
    "employment.scale": ("全部未就业时的分值", "按未就业人数比例折算"),
    "skills.working_age": ("劳动年龄段", "岁(含两端)"),
    "skills.scale": ("全部无技能时的分值", "按无技能人数比例折算"),
    "skills.unskilled_idle_points": ("每名无技能且未就业者加分", "分"),
    "labour.needed_per_person": ("每人所需劳动力", "个;家庭所需 = 人口 × 此值"),
    "labour.scale": ("完全没有劳动力时的分值", "按劳动力缺口比例折算"),
    "other.no_self_care_points": ("有完全不能自理的成员", "分"),
}
for _f in FACTORS:
    LABELS[f"weights.{_f}"] = (f"{FACTOR_LABELS[_f]}权重", "九项权重之和为 1")
for _g, _name in (("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级")):
    LABELS[f"disability.grade_points.{_g}"] = (f"每名{_name}残疾成员", "分")
for _k, _name in STAGE_LABELS.items():
    LABELS[f"schooling.stage_points.{_k}"] = (f"每名{_name}在学成员", "分")
for _k, _name in SAFETY_LABELS.items():
    LABELS[f"housing.safety_points.{_k}"] = (_name, "分")
for _k, _name in LABOUR_LABELS.items():
    LABELS[f"labour.units.{_k}"] = (_name, "折合劳动力个数")
for _k, _name in CIRCUMSTANCE_LABELS.items():
    LABELS[f"other.circumstance_points.{_k}"] = (_name, "分")

SECTION_LABELS = {"general": "总体规则", "weights": "困难指数权重", **FACTOR_LABELS}
SECTION_HINTS = {
    "general": "",
    "weights": "困难指数 = Σ 权重 × 因子得分 × 20,满分 100",
    "illness": "家庭成员患大病、慢性病及医疗支出",
    "disability": "按残疾等级累加",
    "schooling": "在学成员及教育支出",
    "housing": "住房安全等级及租房负担",
    "disaster": "自然灾害或意外事故",
    "employment": "有劳动能力成员中未就业的比例",
    "skills": "有劳动能力成员中无专业技能的比例",
    "labour": "家庭劳动力是否足够",
    "other": "其他特殊情况",
}


def label_of(path: str) -> str:
    if path in LABELS:
        return LABELS[path][0]
    return path.rsplit(".", 1)[-1]


def full_label(path: str) -> str:
    """'因病·一人患大病': the section name plus the parameter name."""
    section = path.split(".", 1)[0]
    if section in FACTORS and not path.startswith("weights"):
        return f"{FACTOR_LABELS[section]}·{label_of(path)}"
    return label_of(path)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_steps(value) -> bool:
    return isinstance(value, list) and all(isinstance(p, list | tuple) for p in value)


def _is_range(value) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)


@dataclass
class Param:
    """One parameter on the page: a number, a [from, to] range or a step table."""

    path: str
    kind: str  # number / range / steps
    label: str
    hint: str
    names: list = field(default_factory=list)  # form field names (rows of pairs for steps)


@dataclass
class Section:
    key: str
    label: str
    hint: str
    params: list[Param] = field(default_factory=list)


def _ordered_keys(data: dict, template) -> list:
    # PostgreSQL's jsonb stores keys sorted by length: show them in the order of
    # DEFAULT_MODEL (factor order, grade 1 before 2…), unknown keys after.
    known = [k for k in template if k in data] if isinstance(template, dict) else []
    return known + [k for k in data if k not in known]


def _walk(data: dict, prefix: str = "", template=DEFAULT_MODEL) -> Iterator[tuple[str, object]]:
    for key in _ordered_keys(data, template):
        value = data[key]
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            sub = template.get(key) if isinstance(template, dict) else None
            yield from _walk(value, path + ".", sub)
        else:
            yield path, value


def _fname(path: str) -> str:
    return path.replace(".", SEP)


def section_of(path: str) -> str:
    head = path.split(".", 1)[0]
    if head in FACTORS or head == "weights":
        return head
    return "general"


# Most parameters are points on the 0–5 scale; these are not.
UNBOUNDED = ("labour.units.", "labour.needed_per_person")
POSITIVE = ("labour.needed_per_person",)  # divides: zero would make the score undefined


def _number_field(path: str, value, *, required: bool = True) -> forms.Field:
    label = full_label(path)
    if path == "multi_cause_min":
        return forms.IntegerField(label=label, min_value=1, max_value=9, required=required)
    if path.startswith("weights."):
        high = 1
    elif path.startswith(UNBOUNDED):
        high = None
    else:
        high = 5
    return forms.FloatField(
        label=label,
        min_value=0,
        max_value=high,
        required=required,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class ModelParamsForm(forms.Form):
    """The nine-factor model's parameters, one box each; `data_out()` rebuilds the JSON."""

    name = forms.CharField(label="版本名称", max_length=64, validators=[validate_line])
    note = forms.CharField(
        label="修改说明", max_length=255, required=True, help_text="写明为什么修改,供日后查阅",
        validators=[validate_multiline],
    )  # fmt: skip

    def __init__(self, *args, base: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.base = copy.deepcopy(base)
        self.sections: dict[str, Section] = {
            key: Section(key, SECTION_LABELS[key], SECTION_HINTS[key])
            for key in ("general", "weights", *FACTORS)
        }
        self.leaf_types: dict[str, type] = {}
        for path, value in _walk(self.base):
            if path == "name":
                continue
            label, hint = LABELS.get(path, (label_of(path), ""))
            section = self.sections[section_of(path)]
            if _is_number(value):
                name = _fname(path)
                self.fields[name] = _number_field(path, value)
                self.initial.setdefault(name, value)
                self.leaf_types[path] = type(value)
                section.params.append(Param(path, "number", label, hint, [name]))
            elif _is_range(value):
                names = [_fname(path) + f"{SEP}{i}" for i in range(2)]
                for i, n in enumerate(names):
                    self.fields[n] = forms.IntegerField(
                        label=f"{full_label(path)}({'起' if i == 0 else '止'})",
                        min_value=0,
                        max_value=120,
                    )
                    self.initial.setdefault(n, value[i])
                section.params.append(Param(path, "range", label, hint, names))
            elif _is_steps(value):
                rows = []
                for i in range(len(value) + EXTRA_STEP_ROWS):
                    pair = value[i] if i < len(value) else (None, None)
                    row = []
                    for j, what in enumerate(("阈值", "分值")):
                        n = _fname(path) + f"{SEP}{i}{SEP}{'t' if j == 0 else 'p'}"
                        self.fields[n] = forms.FloatField(
                            label=f"{full_label(path)} 第{i + 1}档{what}",
                            min_value=0,
                            max_value=5 if j == 1 else None,
                            required=False,
                            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                        )
                        self.initial.setdefault(n, pair[j])
                        row.append(n)
                    rows.append(row)
                section.params.append(Param(path, "steps", label, hint, rows))
            # Anything else (text) is kept from the base version unchanged.

    def bound_sections(self) -> list[dict]:
        """Sections with bound fields, for the template."""
        out = []
        for s in self.sections.values():
            if not s.params:
                continue
            params = []
            for p in s.params:
                if p.kind == "steps":
                    fields = [[self[n] for n in row] for row in p.names]
                else:
                    fields = [self[n] for n in p.names]
                params.append({"param": p, "fields": fields})
            out.append({"section": s, "params": params})
        return out

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for s in self.sections.values():
            for p in s.params:
                if p.kind == "number" and p.path in POSITIVE and not cleaned.get(p.names[0]):
                    self.add_error(p.names[0], f"{full_label(p.path)}应大于0")
                elif p.kind == "range":
                    lo, hi = (cleaned.get(n) for n in p.names)
                    if lo is not None and hi is not None and lo > hi:
                        self.add_error(p.names[1], f"{full_label(p.path)}:起始年龄不能大于终止年龄")
                elif p.kind == "steps":
                    for i, (t, pts) in enumerate(p.names):
                        if (cleaned.get(t) is None) != (cleaned.get(pts) is None):
                            missing = pts if cleaned.get(pts) is None else t
                            self.add_error(
                                missing,
                                f"{full_label(p.path)} 第{i + 1}档:阈值和分值要么都填,要么都空",
                            )
        if self.errors:
            return cleaned
        try:
            validate(self.data_out())
        except ModelError as exc:
            raise forms.ValidationError(str(exc)) from None
        return cleaned

    def data_out(self) -> dict:
        """The model data as entered (from cleaned_data), starting from the base version."""
        data = copy.deepcopy(self.base)
        data["name"] = self.cleaned_data.get("name") or data.get("name", "")
        for s in self.sections.values():
            for p in s.params:
                if p.kind == "number":
                    value = self.cleaned_data[p.names[0]]
                    if self.leaf_types.get(p.path) is int and float(value).is_integer():
                        value = int(value)
                elif p.kind == "range":
                    value = [int(self.cleaned_data[n]) for n in p.names]
                else:
                    value = []
                    for t, pts in p.names:
                        tv, pv = self.cleaned_data.get(t), self.cleaned_data.get(pts)
                        if tv is None or pv is None:
                            continue
                        value.append([int(tv) if float(tv).is_integer() and tv >= 1 else tv, pv])
                    value.sort(key=lambda pair: pair[0])
                _set_path(data, p.path, value)
        return data


def _set_path(data: dict, path: str, value) -> None:
    keys = path.split(".")
    node = data
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value


class ModelJsonForm(forms.Form):
    """Advanced: the whole model as JSON, for a parameter the boxes do not show."""

    name = forms.CharField(label="版本名称", max_length=64, validators=[validate_line])
    note = forms.CharField(label="修改说明", max_length=255, validators=[validate_multiline])
    raw = forms.CharField(
        label="模型参数(JSON)", widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
        validators=[validate_multiline],
    )  # fmt: skip

    def clean_raw(self):
        text = self.cleaned_data["raw"]
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"不是有效的 JSON:第{exc.lineno}行第{exc.colno}列 {exc.msg}"
            ) from None
        if not isinstance(data, dict):
            raise forms.ValidationError("模型参数应为 JSON 对象 {…}")
        try:
            validate(data)
        except ModelError as exc:
            raise forms.ValidationError(str(exc)) from None
        except (KeyError, TypeError, AttributeError) as exc:
            raise forms.ValidationError(f"模型参数缺少或写错了设置项:{exc}") from None
        return data


def flatten(data: dict) -> dict[str, object]:
    """path → value for every parameter (step tables as one value), for diffs."""
    return {path: value for path, value in _walk(data) if path != "name"}


def display_value(path: str, value) -> str:
    if _is_steps(value):
        if not value:
            return "(无)"
        return ";".join(f"≥{t:,g} → {p:g}分" for t, p in value)
    if _is_range(value):
        return f"{value[0]}–{value[1]}"
    if _is_number(value):
        return f"{value:g}"
    return str(value)


def model_diff(old: dict, new: dict) -> list[dict]:
    """Parameters that differ between two model versions, labelled in Chinese."""
    a, b = flatten(old), flatten(new)
    rows = []
    for path in list(a) + [p for p in b if p not in a]:
        if a.get(path) != b.get(path):
            rows.append(
                {
                    "path": path,
                    "label": full_label(path) if section_of(path) != "weights" else label_of(path),
                    "old": display_value(path, a[path]) if path in a else "—",
                    "new": display_value(path, b[path]) if path in b else "—",
                }
            )
    return rows


class EconomicStandardForm(forms.ModelForm):
    class Meta:
        model = EconomicStandard
        fields = [
            "rural_standard",
            "urban_standard",
            "edge_multiplier",
            "deduct_medical",
            "deduct_education",
            "asset_limit_per_person",
            "vehicle_limit",
            "rigid_share_threshold",
        ]
        help_texts = {
            "rural_standard": "村委会所辖家庭按农村标准核对",
            "urban_standard": "居委会所辖家庭按城市标准核对",
            "edge_multiplier": "月人均收入低于 低保标准 × 此倍数 的为低保边缘",
            "deduct_medical": "核算收入时扣减大病自付和日常医药费",
            "deduct_education": "核算收入时扣减教育支出",
            "asset_limit_per_person": "家庭存款超过 人数 × 此限额 的,财产不符合",
            "vehicle_limit": "超过此数量的机动车,财产不符合",
            "rigid_share_threshold": "刚性支出(医疗+教育)占家庭收入达到此比例,为刚性支出困难;0.5 即 50%",
        }

    def clean(self):
        cleaned = super().clean()
        for name in ("rural_standard", "urban_standard", "asset_limit_per_person"):
            value = cleaned.get(name)
            if value is not None and value <= 0:
                self.add_error(
                    name, f"{self._meta.model._meta.get_field(name).verbose_name}应大于0"
                )
        multiplier = cleaned.get("edge_multiplier")
        if multiplier is not None and not 1 <= multiplier <= 3:
            self.add_error("edge_multiplier", "低保边缘倍数应在 1 到 3 之间")
        share = cleaned.get("rigid_share_threshold")
        if share is not None and not 0 < share <= 1:
            self.add_error("rigid_share_threshold", "刚性支出占收入比例认定线应在 0 到 1 之间")
        return cleaned


def errors_as_list(form: forms.Form) -> list[tuple[str, str, str]]:
    """(element id, label, message) for the error summary; '' id for form-wide errors."""
    out = []
    for name, errors in form.errors.items():
        if name == "__all__":
            out.extend(("", "", str(e)) for e in errors)
            continue
        if name not in form.fields:
            out.extend(("", name, str(e)) for e in errors)
            continue
        anchor = form[name].auto_id or ""
        out.extend((anchor, str(form.fields[name].label), str(e)) for e in errors)
    return out


def _item_field_name(code: str) -> str:
    return "item_" + code.replace(".", "_")


class ElderlyForm(forms.Form):
    """GB/T 42195-2022: the 26 items as radio buttons of their allowed scores."""

    coma = forms.BooleanField(label="处于昏迷状态", required=False)
    dementia = forms.BooleanField(label="确诊为痴呆(F00–F03)", required=False)
    mental_disorder = forms.BooleanField(
        label="精神科专科医生诊断的其他精神和行为障碍疾病(F04–F99)", required=False
    )
    risk_events_30d = forms.IntegerField(
        label="近30天内照护风险事件次数",
        min_value=0,
        max_value=99,
        initial=0,
        help_text="跌倒、噎食、自杀、自伤、走失等合计",
        error_messages={
            "min_value": "近30天内照护风险事件次数不能小于0",
            "invalid": "近30天内照护风险事件次数应为整数",
            "required": "请填写近30天内照护风险事件次数(没有填0)",
        },
    )

    def __init__(self, *args, initial: dict | None = None, latest=None, **kwargs):
        base_initial = {}
        if initial:
            base_initial = {_item_field_name(code): score for code, score in initial.items()}
        if latest is not None:
            base_initial.update(
                coma=latest.coma,
                dementia=latest.dementia,
                mental_disorder=latest.mental_disorder,
                risk_events_30d=latest.risk_events_30d,
            )
        super().__init__(*args, initial=base_initial, **kwargs)
        for code, item in ITEMS.items():
            allowed = "、".join(str(s) for s in item.scores)
            self.fields[_item_field_name(code)] = forms.TypedChoiceField(
                label=f"{code} {item.name}",
                choices=[(score, f"{score}分 {text}") for score, text in item.options],
                coerce=int,
                widget=forms.RadioSelect,
                help_text=item.description,
                error_messages={
                    "required": f"{code} {item.name}:请选择分值",
                    "invalid_choice": f"{code} {item.name}:分值应为 {allowed} 之一",
                },
            )

    def by_dimension(self) -> list[dict]:
        out = []
        for dim, name in DIMENSIONS.items():
            codes = [code for code in ITEMS if code.startswith(dim + ".")]
            top = sum(ITEMS[c].max_score for c in codes)
            out.append(
                {
                    "code": dim,
                    "name": name,
                    "max": top,
                    "fields": [self[_item_field_name(c)] for c in codes],
                }
            )
        return out

    def values(self) -> dict:
        return {
            "items": {code: self.cleaned_data[_item_field_name(code)] for code in ITEMS},
            "coma": self.cleaned_data["coma"],
            "dementia": self.cleaned_data["dementia"],
            "mental_disorder": self.cleaned_data["mental_disorder"],
            "risk_events_30d": self.cleaned_data["risk_events_30d"],
        }
