"""The demo county's policy library (政策一本通) as data: departments and policies.

禄劝彝族苗族自治县 (530128): the county bureaus,群团组织 and social organisations
of the "1+8+N" pattern (seed 002), and the policies behind the 12 kinds of
measures of seed 000. Each policy's eligibility is a condition tree in the
language of jiuzhu.engine.conditions, checked against the field catalogue and
the registry's code lists (CODES) by `check()`.

Amounts follow the engine's default economic standard (DEFAULT_STANDARD in
jiuzhu.engine.economic): rural 低保 590 元/人·月, urban 870 元/人·月, edge at
1.5 times. The county edits all of this in the policy library; the figures
here are plausible starting values, not official ones.

Pure data: this module must not import jiuzhu.policies.models, so that it can
be read before the app is migrated (the seed command and tests load it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiuzhu.engine import conditions
from jiuzhu.engine.model import FACTORS
from jiuzhu.engine.needs import NEED_LABELS
from jiuzhu.households import choices as c

from .codes import CODES as REGISTRY_CODES

# The values of jiuzhu.policies.models.Measure and DepartmentKind (kept here so
# that this module stays free of the models; a test compares them).
MEASURES = (
    "basic_living", "disaster", "medical", "education", "housing", "employment",
    "disability", "social", "microcredit", "insurance", "temporary", "service",
)  # fmt: skip
DEPARTMENT_KINDS = ("government", "group", "charity", "social_work", "volunteer")

# Code-kind fields of the condition catalogue and their allowed values.
CODES: dict[str, set[str]] = {**REGISTRY_CODES, "causes": set(FACTORS), "needs": set(NEED_LABELS)}

# ---------------------------------------------------------------------------
# Departments, groups and social organisations (1 + 8 + N)

DEPARTMENTS: list[dict[str, Any]] = [
    {"code": "minzheng", "name": "禄劝县民政局", "short_name": "民政",
     "kind": "government", "phone": "0871-68910101", "order": 1},
    {"code": "yibao", "name": "禄劝县医疗保障局", "short_name": "医保",
     "kind": "government", "phone": "0871-68910102", "order": 2},
    {"code": "renshe", "name": "禄劝县人力资源和社会保障局", "short_name": "人社",
     "kind": "government", "phone": "0871-68910103", "order": 3},
    {"code": "jiaoyu", "name": "禄劝县教育体育局", "short_name": "教育",
     "kind": "government", "phone": "0871-68910104", "order": 4},
    {"code": "canlian", "name": "禄劝县残疾人联合会", "short_name": "残联",
     "kind": "group", "phone": "0871-68910105", "order": 5},
    {"code": "zhujian", "name": "禄劝县住房和城乡建设局", "short_name": "住建",
     "kind": "government", "phone": "0871-68910106", "order": 6},
    {"code": "weijian", "name": "禄劝县卫生健康局", "short_name": "卫健",
     "kind": "government", "phone": "0871-68910107", "order": 7},
    {"code": "fulian", "name": "禄劝县妇女联合会", "short_name": "妇联",
     "kind": "group", "phone": "0871-68910108", "order": 8},
    {"code": "gonghui", "name": "禄劝县总工会", "short_name": "工会",
     "kind": "group", "phone": "0871-68910109", "order": 9},
    {"code": "sifa", "name": "禄劝县司法局", "short_name": "司法",
     "kind": "government", "phone": "0871-68910110", "order": 10},
    {"code": "xiangcun", "name": "禄劝县农业农村局(县乡村振兴局)", "short_name": "乡村振兴",
     "kind": "government", "phone": "0871-68910111", "order": 11},
    {"code": "tuiyi", "name": "禄劝县退役军人事务局", "short_name": "退役军人",
     "kind": "government", "phone": "0871-68910112", "order": 12},
    {"code": "yingji", "name": "禄劝县应急管理局", "short_name": "应急",
     "kind": "government", "phone": "0871-68910113", "order": 13},
    {"code": "tuanwei", "name": "共青团禄劝县委员会", "short_name": "团县委",
     "kind": "group", "phone": "0871-68910114", "order": 14},
    {"code": "cishan", "name": "禄劝县慈善总会", "short_name": "慈善总会",
     "kind": "charity", "phone": "0871-68910115", "order": 15},
    {"code": "shegong", "name": "禄劝县社会工作服务中心", "short_name": "社工中心",
     "kind": "social_work", "phone": "0871-68910116", "order": 16},
    {"code": "zhiyuan", "name": "禄劝县志愿服务联合会", "short_name": "志愿者联合会",
     "kind": "volunteer", "phone": "0871-68910117", "order": 17},
]  # fmt: skip


# ---------------------------------------------------------------------------
# Building blocks of conditions (each call returns a fresh dict: the batch
# matcher keys member nodes by object identity).


def _t(field: str, op: str, value: Any) -> dict:
    return {"field": field, "op": op, "value": value}


def _is(field: str, value: bool = True) -> dict:
    return _t(field, "eq", value)


def _all(*parts: dict) -> dict:
    return {"all": list(parts)}


def _any(*parts: dict) -> dict:
    return {"any": list(parts)}


def _member(condition: dict) -> dict:
    return {"member": condition}


def _tags(*names: str) -> dict:
    """Holds one of the status tags (tag_<name>)."""
    return _any(*(_is(f"tag_{n}") for n in names))


def _ages(low: int, high: int) -> list[dict]:
    """Member age tests low ≤ age ≤ high."""
    return [_t("age", "ge", low), _t("age", "le", high)]


WORKER = ["employee", "local_worker", "migrant_worker", "flexible"]  # 职工与农民工
HIGHER_EDUCATION = ["college", "undergraduate", "postgraduate"]

# Regulation names used more than once.
BAN_FA = "《社会救助暂行办法》(国务院令第649号)"
GAI_GE = "中共中央办公厅 国务院办公厅《关于改革完善社会救助制度的意见》(2020年)"
FEN_CENG = "国务院办公厅转发民政部等单位《关于加强低收入人口动态监测做好分层分类社会救助工作的意见》(2023年)"
YI_BAO_42 = "《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》(国办发〔2021〕42号)"
LIANG_BU = (
    "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》(国发〔2015〕52号)"
)
ZI_ZHU = "《学生资助资金管理办法》(财政部 教育部 人力资源社会保障部 退役军人部 中央军委国防动员部)"
ZAI_HAI = "《自然灾害救助条例》(国务院令第577号,2019年修订)"
CI_SHAN = "《中华人民共和国慈善法》(2023年修正)"

# ---------------------------------------------------------------------------
# Policies

POLICIES: list[dict[str, Any]] = [
    # ----------------------------------------------------------------- 民政
    {
        "code": "dibao",
        "name": "最低生活保障",
        "department": "minzheng",
        "measure": "basic_living",
        "needs": ["basic_living"],
        "condition": _all(_is("below_standard"), _is("assets_ok")),
        "summary": "共同生活家庭月人均收入低于当地低保标准、且家庭财产符合规定的,纳入最低生活保障。",
        "benefit": (
            "按家庭月人均收入与当地低保标准的差额按月发放低保金;对家庭中的老年人、未成年人、"
            "重度残疾人和重病患者等按规定增发分类施保金。每月15日前通过社会保障卡(一卡通)发放。"
        ),
        "amount": "农村低保标准每人每月590元(年7,080元)、城市低保标准每人每月870元,按差额发放;以县人民政府公布的标准为准",
        "legal_basis": (
            f"{BAN_FA};《最低生活保障审核确认办法》(民发〔2021〕57号);{GAI_GE};"
            "云南省最低生活保障审核确认相关规定"
        ),
        "how_to_apply": "向户籍所在地乡镇(街道)社会救助服务窗口申请,可由村(居)委会代办或网上申请;乡镇入户调查、经济状况核对后报县民政局审核确认。",
        "receipt_code": "dibao",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "tekun-gongyang",
        "name": "特困人员救助供养",
        "department": "minzheng",
        "measure": "basic_living",
        "needs": ["basic_living", "nursing", "medical"],
        "condition": _all(
            _t("size", "le", 2),
            _is("below_standard"),
            _is("assets_ok"),
            _member(
                _any(
                    _t("age", "ge", 60),
                    _t("age", "lt", 16),
                    _t("disability_grade", "in", [1, 2]),
                    _t("labour_ability", "eq", "lost"),
                )
            ),
            # 三无: nobody in the household able to work and support the others.
            {"no_member": _t("labour_ability", "in", ["full", "skilled"])},
        ),
        "summary": "无劳动能力、无生活来源、无法定赡养抚养扶养义务人(或其无履行能力)的老年人、残疾人和未成年人,纳入特困供养。",
        "benefit": (
            "提供基本生活条件,对生活不能自理的给予照料护理,提供疾病治疗,办理丧葬事宜;"
            "本人可选择在家分散供养,或到县、乡(镇)供养服务机构集中供养。"
        ),
        "amount": "基本生活标准不低于当地低保标准的1.3倍(农村每人每月不低于770元、城市不低于1,131元);照料护理费按全自理、半护理、全护理三档发放",
        "legal_basis": (
            f"{BAN_FA};《国务院关于进一步健全特困人员救助供养制度的意见》(国发〔2016〕14号);"
            "《特困人员认定办法》(民发〔2021〕43号)"
        ),
        "how_to_apply": "本人向户籍所在地乡镇(街道)申请,本人申请有困难的可委托村(居)委会代办;乡镇审核、县民政局确认,并开展生活自理能力评估。",
        "receipt_code": "tekun",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "dibao-danrenbao",
        "name": "低保边缘家庭重病重残人员单人保",
        "department": "minzheng",
        "measure": "basic_living",
        "needs": ["basic_living", "medical", "rehabilitation"],
        "condition": _all(
            _is("below_edge"),
            _is("below_standard", False),
            _is("assets_ok"),
            _member(
                _any(
                    _t("disability_grade", "in", [1, 2]),
                    _is("seriously_ill"),
                )
            ),
        ),
        "summary": "低保边缘家庭中的一、二级重度残疾人和重病患者,经本人申请,可参照单人户单独纳入低保。",
        "benefit": "将家庭中的重病、重度残疾人员单独纳入最低生活保障,按月发放低保金,并同步享受医疗救助等专项救助。",
        "amount": "参照单人户按当地低保标准计发(农村每人每月590元、城市每人每月870元),具体以县民政局核定为准",
        "legal_basis": f"《最低生活保障审核确认办法》(民发〔2021〕57号);{FEN_CENG}",
        "how_to_apply": "向户籍所在地乡镇(街道)社会救助服务窗口申请,提交残疾人证或诊断证明,可由村(居)委会代办。",
        "receipt_code": "dibao",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "dibao-bianyuan",
        "name": "低保边缘家庭认定",
        "department": "minzheng",
        "measure": "basic_living",
        "needs": ["basic_living"],
        "condition": _all(
            _is("below_standard", False),
            _is("below_edge"),
            _is("assets_ok"),
        ),
        "summary": "月人均收入高于低保标准、但低于低保标准1.5倍且财产符合规定的家庭,认定为低保边缘家庭。",
        "benefit": (
            "认定后纳入低收入人口动态监测,按规定享受医疗救助、教育资助、住房救助、就业援助和"
            "临时救助等专项救助;不发放低保金。"
        ),
        "amount": "认定标准:月人均收入低于当地低保标准的1.5倍(农村885元、城市1,305元)",
        "legal_basis": f"{FEN_CENG};{GAI_GE};云南省低收入人口认定相关规定",
        "how_to_apply": "向户籍所在地乡镇(街道)申请,可由村(居)委会代办;乡镇入户调查、经济状况核对后认定,县民政局备案。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "linshi-jinan",
        "name": "临时救助(急难型)",
        "department": "minzheng",
        "measure": "temporary",
        "needs": ["basic_living", "psychological"],
        "condition": _all(
            _t("special_circumstances", "any_of", ["accident", "death", "disaster"]),
            _any(_is("below_edge"), _t("disaster_loss", "ge", 10000)),
        ),
        "summary": "因火灾、交通事故等意外事件,或家庭成员突发重大疾病、死亡,基本生活暂时陷入困境的,给予急难型临时救助。",
        "benefit": (
            "实行“小额先行救助”,乡镇(街道)可直接发放救助金或实物,事后补齐手续;"
            "同时转介医疗救助、心理疏导等帮扶。"
        ),
        "amount": "一般按当地月低保标准的1~3倍一次性发放;困难特别严重的,经县级社会救助联席会议“一事一议”可适当提高",
        "legal_basis": f"{BAN_FA};《国务院关于全面建立临时救助制度的通知》(国发〔2014〕47号);{GAI_GE}",
        "how_to_apply": "向急难发生地或户籍所在地乡镇(街道)申请,也可拨打社会救助热线求助;村(居)委会协助核实,紧急情况先行救助。",
        "receipt_code": "temporary",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "linshi-zhichu",
        "name": "临时救助(支出型)",
        "department": "minzheng",
        "measure": "temporary",
        "needs": ["basic_living", "medical", "education"],
        "condition": _all(
            _any(
                _t("rigid_share", "ge", 0.5),
                _t("serious_illness_expense", "ge", 20000),
            ),
            _is("below_edge"),
            _is("assets_ok"),
        ),
        "summary": "因医疗、教育等生活必需支出突然增加,超出家庭承受能力,致使基本生活出现严重困难的,给予支出型临时救助。",
        "benefit": "在医保报销、医疗救助、教育资助等帮扶后仍有困难的,按家庭实际困难程度给予一次性临时救助金。",
        "amount": "按扣除各项报销和救助后的刚性支出核定,一般不超过当地月低保标准的6倍;重大个案按程序报县级审批后可提高",
        "legal_basis": f"{BAN_FA};《国务院关于全面建立临时救助制度的通知》(国发〔2014〕47号);{FEN_CENG}",
        "how_to_apply": "向户籍所在地乡镇(街道)申请,提交医疗费用票据或就学证明等材料,可由村(居)委会代办;乡镇审核、县民政局审批。",
        "receipt_code": "temporary",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "guer-jiben-shenghuo",
        "name": "孤儿基本生活保障",
        "department": "minzheng",
        "measure": "basic_living",
        "needs": ["basic_living", "caring", "education"],
        "condition": _all(_is("tag_orphan"), _member(_t("age", "lt", 18))),
        "summary": "父母双亡或被依法宣告死亡、失踪的未满18周岁儿童,按月发放基本生活费。",
        "benefit": "按月发放孤儿基本生活费,并资助参加城乡居民医保,落实教育资助、医疗康复和成年后就业住房帮扶。",
        "amount": "社会散居孤儿每人每月约1,200元、机构集中养育孤儿每人每月约1,600元(以省定最低养育标准为准)",
        "legal_basis": "《国务院办公厅关于加强孤儿保障工作的意见》(国办发〔2010〕54号);云南省孤儿基本生活保障相关规定",
        "how_to_apply": "由监护人向儿童户籍所在地乡镇(街道)申请,村(居)儿童主任协助办理;县民政局审核确认。",
        "receipt_code": "orphan",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "shishi-wuren-fuyang",
        "name": "事实无人抚养儿童基本生活保障",
        "department": "minzheng",
        "measure": "basic_living",
        "needs": ["basic_living", "caring", "education"],
        "condition": _all(_is("tag_unsupported_child"), _member(_t("age", "lt", 18))),
        "summary": "父母双方均重残、重病、服刑、失联等原因,事实上无人抚养的未满18周岁儿童,参照孤儿标准保障。",
        "benefit": "按月发放基本生活补贴,落实监护责任,并纳入医疗、教育、康复等专项救助和儿童主任定期探访。",
        "amount": "参照当地社会散居孤儿基本生活保障标准按月发放(每人每月约1,200元);已享受低保、特困的按规定衔接",
        "legal_basis": "民政部等12部门《关于进一步加强事实无人抚养儿童保障工作的意见》(民发〔2019〕62号)",
        "how_to_apply": "由儿童监护人或受委托人向儿童户籍所在地乡镇(街道)申请,村(居)儿童主任协助;县民政局审核确认。",
        "receipt_code": "unsupported_child",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "shineng-jujia-zhaohu",
        "name": "失能困难老年人居家照护服务",
        "department": "minzheng",
        "measure": "service",
        "needs": ["nursing", "caring"],
        "condition": _all(
            _t("circle", "in", [1, 2]),
            _member(
                _any(
                    _t("self_care", "in", ["partial", "none"]),
                    _t("elderly_level", "ge", 2),
                )
            ),
        ),
        "summary": "特困、低保、低保边缘家庭中生活不能自理或能力中度以上受损的成员,由政府购买居家照护服务。",
        "benefit": (
            "社工和护理员上门提供助餐、助洁、助浴、助医、康复护理和精神慰藉,制定长期照护计划;"
            "每次服务留痕,由本人或家属签字确认。"
        ),
        "amount": "完全失能对象每月上门服务不少于25天、60小时;部分失能对象按照护计划确定频次;费用由政府购买服务资金支付,个人不负担",
        "legal_basis": f"{GAI_GE};{FEN_CENG};《老年人能力评估规范》(GB/T 42195-2022)",
        "how_to_apply": "由村(居)民政协理员或乡镇社工站发现并申请,经老年人能力评估后由县民政局确定服务等级,派单给签约社工机构。",
        "receipt_code": "service",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "jujia-shilaohua",
        "name": "经济困难老年人居家适老化改造",
        "department": "minzheng",
        "measure": "housing",
        "needs": ["housing", "nursing"],
        "condition": _all(
            _t("circle", "in", [1, 2]),
            _member(
                _all(
                    _t("age", "ge", 60),
                    _any(
                        _t("self_care", "in", ["partial", "none"]),
                        _t("elderly_level", "ge", 2),
                        _t("disability_grade", "in", [1, 2, 3, 4]),
                    ),
                )
            ),
        ),
        "summary": "特困、低保、低保边缘家庭中的高龄、失能、残疾老年人,给予居家适老化改造。",
        "benefit": "为老年人住所安装扶手、防滑地面、坐便椅、助浴设施、紧急呼叫等基础设施,改善居家安全和生活便利。",
        "amount": "每户改造补助一般不超过3,000元(以县民政局年度实施方案为准)",
        "legal_basis": "民政部等9部门《关于加快实施老年人居家适老化改造工程的指导意见》(2020年);县民政局居家适老化改造年度实施方案",
        "how_to_apply": "向户籍所在地乡镇(街道)申请,或由村(居)委会摸排上报;经入户评估后由县民政局统一组织改造。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "canji-shenghuo-butie",
        "name": "困难残疾人生活补贴",
        "department": "minzheng",
        "measure": "disability",
        "needs": ["basic_living", "rehabilitation"],
        "condition": _all(
            _is("tag_dibao"),
            _member(_t("disability_grade", "in", [1, 2, 3, 4])),
        ),
        "summary": "低保家庭中持有第二代残疾人证的残疾人,发放困难残疾人生活补贴。",
        "benefit": "按月发放困难残疾人生活补贴,补贴不计入家庭收入,与低保金同时领取。",
        "amount": "按省定标准按月发放,每人每月约80~100元(以当年公布标准为准)",
        "legal_basis": f"{LIANG_BU};云南省残疾人两项补贴实施办法",
        "how_to_apply": "持残疾人证向户籍所在地乡镇(街道)申请,可由村(居)委会代办或网上申请;乡镇审核、县民政局会同县残联审定。",
        "receipt_code": "disability",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "zhongdu-canji-huli-butie",
        "name": "重度残疾人护理补贴",
        "department": "minzheng",
        "measure": "disability",
        "needs": ["nursing", "rehabilitation"],
        "condition": _all(_member(_t("disability_grade", "in", [1, 2]))),
        "summary": "残疾等级为一级、二级且需要长期照护的重度残疾人,不论家庭经济状况,发放重度残疾人护理补贴。",
        "benefit": "按月发放重度残疾人护理补贴,用于长期照护支出,补贴不计入家庭收入。",
        "amount": "按省定标准按月发放,每人每月约80~100元(以当年公布标准为准)",
        "legal_basis": f"{LIANG_BU};云南省残疾人两项补贴实施办法",
        "how_to_apply": "持残疾人证向户籍所在地乡镇(街道)申请,可由村(居)委会代办或网上申请;乡镇审核、县民政局会同县残联审定。",
        "receipt_code": "disability",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 医保
    {
        "code": "yibao-canbao-zizhu",
        "name": "城乡居民医保参保资助",
        "department": "yibao",
        "measure": "medical",
        "needs": ["medical"],
        "condition": _all(
            _tags("tekun", "orphan", "unsupported_child", "dibao", "monitored"),
        ),
        "summary": "特困人员、孤儿、事实无人抚养儿童、低保对象和防止返贫监测对象参加城乡居民医保,个人缴费部分给予资助。",
        "benefit": "对个人缴费部分给予全额或定额资助,确保困难群众应保尽保,享受基本医保、大病保险和医疗救助三重保障。",
        "amount": "特困人员、孤儿、事实无人抚养儿童全额资助;低保对象、防止返贫监测对象按省定标准定额资助(2025年度个人缴费标准每人400元)",
        "legal_basis": f"{YI_BAO_42};云南省城乡居民基本医疗保险参保资助相关规定",
        "how_to_apply": "无需个人申请:县民政局、县农业农村局(乡村振兴局)按月推送名单,县医保局直接办理资助参保。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "yiliao-jiuzhu-zhuyuan",
        "name": "住院医疗救助",
        "department": "yibao",
        "measure": "medical",
        "needs": ["medical"],
        "condition": _all(
            _tags("tekun", "dibao", "dibao_edge", "monitored", "orphan", "unsupported_child"),
            _any(
                _t("serious_illness_expense", "gt", 0),
                _member(_is("seriously_ill")),
            ),
        ),
        "summary": "救助对象住院发生的政策范围内个人自付费用,经基本医保、大病保险报销后按比例救助。",
        "benefit": "在定点医疗机构“一站式”即时结算,出院时直接减免个人自付费用中的救助部分。",
        "amount": "特困人员、低保对象、返贫致贫人口按不低于70%救助,低保边缘家庭成员按不低于60%救助;年度救助限额按省定标准执行",
        "legal_basis": f"{YI_BAO_42};{BAN_FA}",
        "how_to_apply": "县内定点医疗机构出院时“一站式”结算,无需另行申请;县外就医的持票据向县医保局或乡镇(街道)窗口申请。",
        "receipt_code": "medical",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "yiliao-jiuzhu-menzhen",
        "name": "门诊慢特病医疗救助",
        "department": "yibao",
        "measure": "medical",
        "needs": ["medical", "health"],
        "condition": _all(
            _tags("tekun", "dibao", "dibao_edge", "monitored", "orphan", "unsupported_child"),
            _member(
                _any(
                    _t("health_status", "in", ["chronic", "serious"]),
                    _t(
                        "disease",
                        "in",
                        [
                            "hypertension",
                            "diabetes",
                            "cardio",
                            "stroke",
                            "kidney_failure",
                            "cancer",
                            "leukemia",
                            "severe_mental",
                            "liver",
                            "tuberculosis",
                        ],
                    ),  # fmt: skip
                )
            ),
        ),
        "summary": "救助对象患门诊慢性病、特殊疾病的,门诊政策范围内个人自付费用给予救助。",
        "benefit": "门诊慢特病费用经基本医保报销后,个人自付部分按比例救助,与住院救助共用年度救助限额。",
        "amount": "救助比例参照住院救助执行,门诊和住院共用年度救助限额(以县医保局公布标准为准)",
        "legal_basis": f"{YI_BAO_42};云南省门诊慢特病管理相关规定",
        "how_to_apply": "先向县医保局或定点医疗机构申请门诊慢特病认定,认定后在定点机构就医时“一站式”结算。",
        "receipt_code": "medical",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "zhongte-dabing-qingxie",
        "name": "重特大疾病医疗救助倾斜(因病致贫重病患者)",
        "department": "yibao",
        "measure": "medical",
        "needs": ["medical", "basic_living"],
        "condition": _all(
            _t("serious_illness_expense", "ge", 20000),
            _any(
                _is("below_edge"),
                _is("tag_rigid_expense"),
                _t("rigid_share", "ge", 0.5),
            ),
            _is("assets_ok"),
        ),
        "summary": "经三重保障后个人负担仍然较重、医疗费用超过家庭承受能力的重病患者,依申请给予倾斜救助。",
        "benefit": "对规定范围内个人自付费用超过起付标准的部分给予救助;医保高额费用预警线索经村(居)核实后主动纳入。",
        "amount": "因病致贫重病患者按不低于50%救助;特困、低保对象经三重保障后负担仍重的,可依申请再次救助;年度限额按省定标准",
        "legal_basis": f"{YI_BAO_42};{FEN_CENG}",
        "how_to_apply": "向户籍所在地乡镇(街道)申请,提交费用票据和诊断证明;县医保局会同县民政局认定,村(居)信息员协助核实。",
        "receipt_code": "medical",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "dabing-baoxian-qingxie",
        "name": "城乡居民大病保险倾斜支付",
        "department": "yibao",
        "measure": "medical",
        "needs": ["medical"],
        "condition": _all(
            _tags("tekun", "dibao", "monitored"),
            _any(
                _t("serious_illness_expense", "gt", 0),
                _member(_is("seriously_ill")),
            ),
        ),
        "summary": "特困人员、低保对象和返贫致贫人口患大病的,大病保险降低起付线、提高报销比例、取消封顶线。",
        "benefit": "在定点医疗机构结算时自动享受大病保险倾斜支付,与医疗救助衔接“一站式”结算。",
        "amount": "大病保险起付线降低50%、支付比例提高5个百分点、取消年度最高支付限额",
        "legal_basis": YI_BAO_42,
        "how_to_apply": "无需个人申请:身份信息由民政、乡村振兴部门推送医保系统,结算时自动享受。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 卫健
    {
        "code": "jiating-yisheng-qianyue",
        "name": "家庭医生签约服务(重点人群)",
        "department": "weijian",
        "measure": "service",
        "needs": ["health"],
        "condition": _all(
            _t("circle", "in", [1, 2, 3]),
            _member(
                _any(
                    _t("age", "ge", 65),
                    _t("health_status", "in", ["weak", "chronic", "serious"]),
                    _t("disability_type", "ne", "none"),
                )
            ),
        ),
        "summary": "困难家庭中的老年人、慢性病患者、残疾人等重点人群,由乡村医生团队签约提供健康管理服务。",
        "benefit": "提供基本医疗、基本公共卫生服务和健康管理,慢性病定期随访,行动不便的提供上门服务。",
        "amount": "基本公共卫生服务免费;65岁以上老年人每年一次免费健康体检;困难对象个人承担的签约服务费按规定减免",
        "legal_basis": "《关于推进家庭医生签约服务的指导意见》(国医改办发〔2016〕1号);《关于推进家庭医生签约服务高质量发展的指导意见》(2022年)",
        "how_to_apply": "向所在村卫生室或乡镇卫生院申请签约,乡村医生可上门签约;村(居)信息员可代为预约。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "yanzhong-jingshen-zhangai",
        "name": "严重精神障碍患者救治救助",
        "department": "weijian",
        "measure": "medical",
        "needs": ["medical", "health", "psychological"],
        "condition": _all(
            _member(
                _any(
                    _t("disease", "eq", "severe_mental"),
                    _t("disability_type", "eq", "mental"),
                )
            ),
        ),
        "summary": "患有严重精神障碍的患者纳入社区管理,落实随访、服药和救治救助。",
        "benefit": "纳入基层随访管理,困难患者按规定享受门诊服药补助,住院费用纳入医保和医疗救助,并联动监护补助和心理支持。",
        "amount": "在册管理的困难患者门诊基本服药按规定给予补助;住院按基本医保、大病保险和医疗救助规定报销",
        "legal_basis": "《中华人民共和国精神卫生法》;《严重精神障碍管理治疗工作规范(2018年版)》",
        "how_to_apply": "由监护人向乡镇卫生院或县精神卫生专业机构登记,村医和乡镇卫生院定期随访。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 人社
    {
        "code": "gongyi-gangwei",
        "name": "公益性岗位安置",
        "department": "renshe",
        "measure": "employment",
        "needs": ["employment", "basic_living"],
        "condition": _all(
            _t("circle", "in", [1, 2]),
            _member(
                _all(
                    *_ages(16, 60),
                    _t("occupation", "in", ["unemployed", "none", "farmer"]),
                    _t("labour_ability", "in", ["full", "skilled", "weak"]),
                )
            ),
        ),
        "summary": "低保、低保边缘、防止返贫监测等困难家庭中有劳动能力但难以外出就业的成员,优先安排乡村或城镇公益性岗位。",
        "benefit": "安排保洁、护林、水管、助老等公益性岗位,按月发放岗位补贴;城镇公益性岗位按规定给予社会保险补贴。",
        "amount": "乡村公益性岗位补贴每人每月约600元(以县定标准为准);城镇公益性岗位工资不低于当地最低工资标准",
        "legal_basis": "《中华人民共和国就业促进法》;《就业补助资金管理办法》;人力资源社会保障部等部门关于公益性岗位开发管理的相关规定",
        "how_to_apply": "向户籍所在地乡镇(街道)劳动保障所或村(居)委会报名,县人社局审核后安排岗位。",
        "receipt_code": "employment",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "zhiye-jineng-peixun",
        "name": "职业技能培训补贴",
        "department": "renshe",
        "measure": "employment",
        "needs": ["employment"],
        "condition": _all(
            _t("score_skills", "ge", 2),
            _member(
                _all(
                    *_ages(16, 60),
                    _t("skill", "eq", "none"),
                    _t("labour_ability", "in", ["full", "weak"]),
                )
            ),
        ),
        "summary": "困难家庭中缺乏技能的劳动年龄人口,免费参加政府补贴性职业技能培训。",
        "benefit": "提供电工、焊工、家政、养老护理、种养殖等免费培训,取得证书后推荐就业;脱贫劳动力和监测对象培训期间给予生活费补贴。",
        "amount": "培训费由政府按工种和证书等级补贴,个人不承担;生活费补贴按省定标准按培训天数发放",
        "legal_basis": "《中华人民共和国就业促进法》;《就业补助资金管理办法》;云南省职业技能培训补贴相关规定",
        "how_to_apply": "向县就业服务中心、乡镇劳动保障所报名,或由村(居)委会统一组织报名。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "jiuye-kunnan-yuanzhu",
        "name": "就业困难人员就业援助",
        "department": "renshe",
        "measure": "employment",
        "needs": ["employment"],
        "condition": _all(
            _t("score_employment", "ge", 2),
            _member(_all(*_ages(16, 60), _t("occupation", "eq", "unemployed"))),
        ),
        "summary": "有劳动能力和就业意愿但失业的困难家庭成员,认定为就业困难人员,实施“一对一”就业援助。",
        "benefit": "提供职业指导、岗位推荐和创业服务;零就业家庭确保至少一人就业;灵活就业的按规定给予社会保险补贴。",
        "amount": "灵活就业社会保险补贴原则上不超过实际缴费的2/3,期限一般不超过3年",
        "legal_basis": "《中华人民共和国就业促进法》;《就业补助资金管理办法》",
        "how_to_apply": "向县就业服务中心或乡镇(街道)劳动保障所申请就业困难人员认定,可由村(居)委会代办。",
        "receipt_code": "employment",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "chuangye-danbao-daikuan",
        "name": "创业担保贷款",
        "department": "renshe",
        "measure": "microcredit",
        "needs": ["employment"],
        "condition": _all(
            _t("circle", "in", [2, 3]),
            _member(
                _all(
                    *_ages(18, 60),
                    _t("labour_ability", "in", ["full", "skilled"]),
                    _t(
                        "occupation",
                        "in",
                        ["unemployed", "self_employed", "flexible", "migrant_worker", "farmer"],
                    ),
                )
            ),
        ),
        "summary": "有创业意愿和能力的失业人员、返乡创业农民工、脱贫人口等,可申请创业担保贷款并享受财政贴息。",
        "benefit": "由政府性担保机构提供担保,经办银行发放创业贷款,财政按规定贴息;配套创业培训和开业指导。",
        "amount": "个人最高可申请30万元,期限最长3年,按规定给予财政贴息(以现行政策额度为准)",
        "legal_basis": "《关于进一步做好创业担保贷款财政贴息工作的通知》(财金〔2020〕21号);云南省创业担保贷款相关规定",
        "how_to_apply": "向县就业服务中心(创业担保贷款服务窗口)申请,经审核后由经办银行放款。",
        "receipt_code": "microcredit",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 教育
    {
        "code": "xueqian-jiaoyu-zizhu",
        "name": "学前教育资助",
        "department": "jiaoyu",
        "measure": "education",
        "needs": ["education"],
        "condition": _all(
            _t("circle", "in", [1, 2]),
            _member(_t("school_stage", "eq", "preschool")),
        ),
        "summary": "家庭经济困难的在园幼儿,减免保育教育费并给予生活补助;公办幼儿园学前一年保育教育费全部免除。",
        "benefit": "减免保育教育费,发放生活补助;特困、孤儿、事实无人抚养儿童、低保家庭和残疾幼儿优先资助。",
        "amount": "2025年秋季学期起免除公办幼儿园学前一年保育教育费;家庭经济困难幼儿按省定标准减免保教费并给予生活补助",
        "legal_basis": f"中共中央办公厅 国务院办公厅《关于逐步推行免费学前教育的意见》(2025年);{ZI_ZHU}",
        "how_to_apply": "向幼儿所在幼儿园提出申请,幼儿园审核后报县教育体育局学生资助管理中心;民政、乡村振兴部门身份信息直接比对。",
        "receipt_code": "education",
        "valid_from": "2025-09-01",
        "valid_to": None,
    },
    {
        "code": "yiwu-jiaoyu-shenghuo-buzhu",
        "name": "义务教育家庭经济困难学生生活补助",
        "department": "jiaoyu",
        "measure": "education",
        "needs": ["education"],
        "condition": _all(
            _t("circle", "in", [1, 2]),
            _member(_t("school_stage", "in", ["primary", "junior"])),
        ),
        "summary": "义务教育阶段家庭经济困难学生,在免除学杂费、免费提供教科书基础上发放生活补助。",
        "benefit": "按学期发放生活补助,寄宿生优先;同时落实营养改善计划和控辍保学。",
        "amount": "寄宿生小学每生每年1,000元、初中每生每年1,250元;非寄宿生按寄宿生标准的50%发放",
        "legal_basis": f"《国务院关于进一步完善城乡义务教育经费保障机制的通知》(国发〔2015〕67号);{ZI_ZHU}",
        "how_to_apply": "向学生就读学校提出申请,学校认定后报县教育体育局;低保、特困、监测对象等身份经部门比对直接认定。",
        "receipt_code": "education",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "gaozhong-zhuxuejin-mianxuefei",
        "name": "普通高中国家助学金和免学杂费",
        "department": "jiaoyu",
        "measure": "education",
        "needs": ["education"],
        "condition": _all(
            _t("circle", "in", [1, 2, 3]),
            _member(_t("school_stage", "eq", "senior")),
        ),
        "summary": "普通高中家庭经济困难学生享受国家助学金;脱贫家庭、低保、特困、残疾学生等免除学杂费。",
        "benefit": "按学期发放国家助学金,符合条件的免除学杂费;学校另可从事业收入中提取资金资助。",
        "amount": "国家助学金平均每生每年2,300元(2025年春季学期起),可分2~3档;符合条件的学生免除学杂费",
        "legal_basis": f"{ZI_ZHU};财政部 教育部 人力资源社会保障部关于调整高等教育阶段和高中阶段国家奖助学金政策的通知(2024年)",
        "how_to_apply": "新学期开学后向就读学校申请,学校评审公示后报县教育体育局学生资助管理中心。",
        "receipt_code": "education",
        "valid_from": "2025-03-01",
        "valid_to": None,
    },
    {
        "code": "zhongzhi-mianxuefei-zhuxuejin",
        "name": "中等职业教育免学费和国家助学金",
        "department": "jiaoyu",
        "measure": "education",
        "needs": ["education", "employment"],
        "condition": _all(
            _t("circle", "in", [1, 2, 3]),
            _member(_t("school_stage", "eq", "vocational")),
        ),
        "summary": "中职学校全日制学生按规定免学费,家庭经济困难学生享受国家助学金。",
        "benefit": "免除学费;家庭经济困难学生按学期发放国家助学金,并可同时申请雨露计划补助。",
        "amount": "国家助学金平均每生每年2,300元(2025年春季学期起覆盖一至三年级);农村学生、涉农专业和家庭经济困难学生免学费",
        "legal_basis": f"{ZI_ZHU};财政部 教育部 人力资源社会保障部关于调整高等教育阶段和高中阶段国家奖助学金政策的通知(2024年)",
        "how_to_apply": "向就读的中等职业学校申请,学校审核后报主管教育部门;县教育体育局学生资助管理中心协助咨询。",
        "receipt_code": "education",
        "valid_from": "2025-03-01",
        "valid_to": None,
    },
    {
        "code": "daxuesheng-zizhu",
        "name": "大学生资助(生源地信用助学贷款和新生入学资助)",
        "department": "jiaoyu",
        "measure": "education",
        "needs": ["education"],
        "condition": _all(
            _t("circle", "in", [1, 2, 3]),
            _member(_t("school_stage", "in", HIGHER_EDUCATION)),
        ),
        "summary": "家庭经济困难的高校学生可申请生源地信用助学贷款,当年考入高校的困难新生可申请入学路费和短期生活费资助。",
        "benefit": "办理生源地信用助学贷款,在校期间利息由财政全额补贴;困难新生一次性资助入学路费和短期生活费,入校后可申请国家助学金。",
        "amount": "助学贷款按国家当年规定额度申请(全日制本专科生每人每年最高不低于1.6万元);新生入学资助省内院校500元、省外院校1,000元",
        "legal_basis": f"{ZI_ZHU};国家助学贷款相关规定(财政部 教育部 中国人民银行 国家金融监督管理总局)",
        "how_to_apply": "每年7—9月向县教育体育局学生资助管理中心申请,低保、特困、监测对象等身份经部门比对认定。",
        "receipt_code": "education",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 乡村振兴
    {
        "code": "yulu-jihua",
        "name": "雨露计划职业教育补助",
        "department": "xiangcun",
        "measure": "education",
        "needs": ["education", "employment"],
        "condition": _all(
            _is("rural"),
            _t("circle", "in", [1, 2]),
            _member(_t("school_stage", "in", ["vocational", "college"])),
        ),
        "summary": "脱贫家庭(含防止返贫监测对象家庭)子女接受中职、高职(专科)教育的,给予雨露计划补助。",
        "benefit": "按学期直接发放到学生或家长账户,与国家助学金等资助政策叠加享受。",
        "amount": "每生每年3,000元,春季、秋季学期各发放1,500元(以省级年度标准为准)",
        "legal_basis": "中共中央 国务院《关于实现巩固拓展脱贫攻坚成果同乡村振兴有效衔接的意见》;云南省雨露计划职业教育补助实施办法",
        "how_to_apply": "每学期向户籍所在村(居)委会或乡镇(街道)申请,提交学籍证明,县农业农村局(乡村振兴局)审核发放。",
        "receipt_code": "education",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "tuopin-xiaoe-xindai",
        "name": "脱贫人口小额信贷",
        "department": "xiangcun",
        "measure": "microcredit",
        "needs": ["employment"],
        "condition": _all(
            _is("rural"),
            _t("circle", "in", [1, 2]),
            _member(_all(*_ages(18, 65), _t("labour_ability", "in", ["full", "skilled"]))),
        ),
        "summary": "有贷款意愿、发展生产能力和还款能力的脱贫人口和防止返贫监测对象,可申请免担保免抵押小额信贷。",
        "benefit": "用于发展种植、养殖等增收产业,财政贴息、县级风险补偿金兜底;不得用于建房、消费等非生产用途。",
        "amount": "5万元以下、3年期以内,免担保免抵押,按贷款市场报价利率(LPR)放贷,财政按规定贴息",
        "legal_basis": "《关于深入扎实做好过渡期脱贫人口小额信贷工作的通知》(银保监发〔2021〕6号);过渡期后按国家常态化帮扶政策执行",
        "how_to_apply": "向户籍所在村(居)委会或乡镇(街道)提出申请,经评级授信后由经办银行放款。",
        "receipt_code": "microcredit",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "daohu-chanye-jiangbu",
        "name": "到户产业发展奖补",
        "department": "xiangcun",
        "measure": "employment",
        "needs": ["employment", "basic_living"],
        "condition": _all(
            _is("rural"),
            _t("circle", "in", [1, 2]),
            _member(_t("labour_ability", "in", ["full", "skilled", "weak"])),
        ),
        "summary": "有劳动能力的脱贫户和防止返贫监测对象发展种植、养殖等产业的,按县年度方案给予奖补。",
        "benefit": "对发展牛、羊、猪养殖和特色种植等增收产业的农户,验收合格后给予一次性以奖代补,并提供技术指导。",
        "amount": "按县年度产业奖补方案执行,每户一般不超过5,000元",
        "legal_basis": "中共中央 国务院《关于实现巩固拓展脱贫攻坚成果同乡村振兴有效衔接的意见》;县人民政府关于到户产业发展奖补的实施方案",
        "how_to_apply": "向户籍所在村(居)委会申报发展计划,乡镇(街道)验收后报县农业农村局(乡村振兴局)审核兑付。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "fangfanpin-baoxian",
        "name": "防返贫致贫保险",
        "department": "xiangcun",
        "measure": "insurance",
        "needs": ["basic_living", "medical", "education"],
        "condition": _all(
            _is("rural"),
            _any(
                _is("tag_monitored"),
                _is("below_edge"),
                _is("tag_rigid_expense"),
            ),
        ),
        "summary": "农村脱贫不稳定户、边缘易致贫户和突发严重困难户,因病、因学、因灾、因意外刚性支出过大的,由保险赔付。",
        "benefit": "县级财政统一投保,个人不缴费;家庭自付刚性支出超过赔付起点的部分,按分段比例赔付,防止返贫致贫。",
        "amount": "自付刚性支出超过赔付起点的部分分段按比例赔付,每户年度最高赔付约10万元(以当年保险合同为准)",
        "legal_basis": "中共中央 国务院《关于实现巩固拓展脱贫攻坚成果同乡村振兴有效衔接的意见》;县人民政府关于防返贫致贫保险的实施方案",
        "how_to_apply": "无需投保:发生刚性支出后向村(居)委会报案,乡镇(街道)核实后由承保公司理赔。",
        "receipt_code": "insurance",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 残联
    {
        "code": "canji-ertong-kangfu",
        "name": "残疾儿童康复救助",
        "department": "canlian",
        "measure": "disability",
        "needs": ["rehabilitation"],
        "condition": _all(
            _member(
                _all(
                    _t("age", "lt", 18),
                    _t(
                        "disability_type",
                        "in",
                        [
                            "visual",
                            "hearing",
                            "speech",
                            "physical",
                            "intellectual",
                            "mental",
                            "multiple",
                        ],
                    ),  # fmt: skip
                )
            ),
        ),
        "summary": "视力、听力、言语、肢体、智力残疾儿童和孤独症儿童,给予手术、辅助器具适配和康复训练救助(0~6岁为重点)。",
        "benefit": "在定点康复机构接受康复训练、人工耳蜗等手术和辅具适配,费用按标准由康复救助资金支付。",
        "amount": "按康复类别和项目给予定额补助,康复训练每人每年最高约1.5万元(以省定标准和年龄范围为准)",
        "legal_basis": "《国务院关于建立残疾儿童康复救助制度的意见》(国发〔2018〕20号);云南省残疾儿童康复救助实施办法",
        "how_to_apply": "监护人持残疾人证或诊断证明向县残联或乡镇(街道)残疾人专职委员申请,县残联审核后转介定点康复机构。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "canji-fuju-shipei",
        "name": "残疾人基本辅助器具适配",
        "department": "canlian",
        "measure": "disability",
        "needs": ["rehabilitation"],
        "condition": _all(
            _t("circle", "in", [1, 2, 3]),
            _member(_t("disability_type", "in", ["visual", "hearing", "physical", "multiple"])),
        ),
        "summary": "困难家庭中的视力、听力、肢体残疾人,免费适配轮椅、助行器、助听器、盲杖等基本型辅助器具。",
        "benefit": "经评估后按辅具目录免费配发基本型辅助器具,并提供使用指导和维修服务。",
        "amount": "基本型辅助器具免费适配(按县残联年度辅具目录和补贴标准)",
        "legal_basis": "《中华人民共和国残疾人保障法》;中国残联基本辅助器具适配补贴相关规定",
        "how_to_apply": "持残疾人证向乡镇(街道)残疾人专职委员或县残联申请,评估后统一配发。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "canji-jiating-wuzhangai",
        "name": "困难重度残疾人家庭无障碍改造",
        "department": "canlian",
        "measure": "housing",
        "needs": ["housing", "rehabilitation"],
        "condition": _all(
            _t("circle", "in", [1, 2]),
            _member(
                _all(
                    _t("disability_grade", "in", [1, 2]),
                    _t("disability_type", "in", ["physical", "visual", "multiple"]),
                )
            ),
        ),
        "summary": "特困、低保、低保边缘家庭中的一、二级肢体、视力和多重残疾人,给予家庭无障碍改造。",
        "benefit": "改造坡道、扶手、卫生间、厨房和门窗等,配置必要的无障碍设施,方便残疾人居家生活。",
        "amount": "每户补助一般不超过5,000元(按县残联年度项目执行)",
        "legal_basis": "《中华人民共和国无障碍环境建设法》;《中华人民共和国残疾人保障法》",
        "how_to_apply": "向乡镇(街道)残疾人专职委员或县残联申请,入户评估后统一组织施工。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "canji-yiwai-baoxian",
        "name": "困难残疾人意外伤害保险",
        "department": "canlian",
        "measure": "insurance",
        "needs": ["medical"],
        "condition": _all(
            _t("circle", "in", [1, 2, 3]),
            _member(_t("disability_grade", "in", [1, 2, 3, 4])),
        ),
        "summary": "困难家庭中的持证残疾人,由县残联统一投保意外伤害保险。",
        "benefit": "发生意外身故、伤残或意外医疗费用的,按保险合同赔付,减轻家庭负担。",
        "amount": "个人不缴费;意外身故、伤残和意外医疗按当年保险合同约定赔付",
        "legal_basis": "《中华人民共和国残疾人保障法》;县残联年度惠残项目实施方案",
        "how_to_apply": "无需投保:发生意外后向乡镇(街道)残疾人专职委员或县残联报案,协助办理理赔。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 住建
    {
        "code": "nongcun-weifang-gaizao",
        "name": "农村危房改造",
        "department": "zhujian",
        "measure": "housing",
        "needs": ["housing"],
        "condition": _all(
            _is("rural"),
            _t("housing_safety", "in", ["c", "d"]),
            _t("circle", "in", [1, 2, 3]),
        ),
        "summary": "农村低保、低保边缘、特困、防止返贫监测对象和刚性支出困难家庭等重点对象居住C、D级危房的,实施改造。",
        "benefit": "C级危房以加固改造为主,D级危房拆除重建;无能力自建的由政府统建或置换、租赁保障。",
        "amount": "C级危房加固户均补助约1万元,D级危房拆除重建户均补助约2万~4万元(按省、市、县分级补助标准执行)",
        "legal_basis": "住房和城乡建设部 财政部 民政部 国家乡村振兴局《关于做好农村低收入群体等重点对象住房安全保障工作的实施意见》(2021年)",
        "how_to_apply": "向户籍所在村(居)委会提出申请,乡镇(街道)审核、县住建局组织房屋安全鉴定后纳入改造计划。",
        "receipt_code": "housing",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "gongzufang-baozhang",
        "name": "公共租赁住房保障",
        "department": "zhujian",
        "measure": "housing",
        "needs": ["housing"],
        "condition": _all(
            _is("rural", False),
            _any(
                _t("housing_tenure", "in", ["rent", "borrowed"]),
                _t("housing_safety", "in", ["c", "d", "none"]),
            ),
            _is("below_edge"),
            _is("assets_ok"),
        ),
        "summary": "城镇低保、低保边缘、特困等住房困难家庭,优先实物配租公共租赁住房或发放租赁补贴。",
        "benefit": "实物配租公共租赁住房并按规定减免租金;暂无房源的发放住房租赁补贴。",
        "amount": "特困、低保家庭公租房租金按规定减免;租赁补贴按县定标准按月或按季发放",
        "legal_basis": f"《公共租赁住房管理办法》(住房和城乡建设部令第11号);{FEN_CENG}",
        "how_to_apply": "向户籍所在社区(居委会)或街道(乡镇)申请,县住建局审核轮候后配租。",
        "receipt_code": "housing",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 应急
    {
        "code": "zaihai-guodu-shenghuo",
        "name": "自然灾害过渡期生活救助",
        "department": "yingji",
        "measure": "disaster",
        "needs": ["basic_living", "housing"],
        "condition": _all(
            _t("special_circumstances", "contains", "disaster"),
            _any(
                _t("housing_safety", "in", ["d", "none"]),
                _t("disaster_loss", "ge", 20000),
            ),
        ),
        "summary": "因自然灾害房屋倒塌或严重损坏、无房可住、无生活来源的受灾人员,给予过渡期生活救助。",
        "benefit": "发放过渡期生活救助金或口粮、衣被等物资,安排临时住所,保障受灾群众基本生活。",
        "amount": "按省定标准每人每日给予过渡期生活救助,救助期限一般不超过3个月",
        "legal_basis": f"{ZAI_HAI};云南省自然灾害救助相关规定",
        "how_to_apply": "灾后由村(居)委会统计上报,乡镇(街道)核实、县应急管理局审核后发放,无需个人另行申请。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "dongchun-shenghuo-jiuzhu",
        "name": "冬春临时生活困难救助",
        "department": "yingji",
        "measure": "disaster",
        "needs": ["basic_living"],
        "condition": _all(
            _any(
                _t("special_circumstances", "contains", "disaster"),
                _t("disaster_loss", "ge", 5000),
            ),
            _is("below_edge"),
        ),
        "summary": "因当年自然灾害造成冬春期间口粮、衣被、取暖等基本生活困难的受灾人员,给予冬春救助。",
        "benefit": "每年冬春期间(当年12月至次年3月)按户核定,发放口粮、衣被、取暖物资或救助金。",
        "amount": "按县应急管理局冬春救助工作方案和资金分配核定,以实物或现金发放",
        "legal_basis": f"{ZAI_HAI};云南省冬春受灾群众生活救助相关规定",
        "how_to_apply": "由村(居)委会入户调查、民主评议后上报,乡镇(街道)审核,县应急管理局审批发放。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "zaihai-daosun-chongjian",
        "name": "因灾倒损民房恢复重建补助",
        "department": "yingji",
        "measure": "disaster",
        "needs": ["housing"],
        "condition": _all(
            _t("special_circumstances", "contains", "disaster"),
            _t("housing_safety", "in", ["c", "d", "none"]),
            _is("rural"),
        ),
        "summary": "因自然灾害住房倒塌或严重损坏需要重建、修缮的农户,给予恢复重建补助。",
        "benefit": "倒塌和严重损坏需重建的给予重建补助,一般损坏的给予维修加固补助,困难群众优先并可叠加危房改造政策。",
        "amount": "按省定因灾倒损民房恢复重建补助标准分档补助(重建、维修分别核定)",
        "legal_basis": f"{ZAI_HAI};云南省因灾倒损民房恢复重建相关规定",
        "how_to_apply": "灾后由村(居)委会核查上报,乡镇(街道)审核,县应急管理局会同县住建局审定后拨付。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 司法
    {
        "code": "falv-yuanzhu",
        "name": "法律援助",
        "department": "sifa",
        "measure": "service",
        "needs": ["caring", "psychological"],
        "condition": _all(
            _t("circle", "in", [1, 2, 3]),
            _t(
                "special_circumstances",
                "any_of",
                ["accident", "death", "debt", "single_parent", "prisoner_family"],
            ),
        ),
        "summary": "经济困难群众遇到工伤、交通事故赔偿、讨薪、赡养抚养、婚姻家庭等法律问题的,免费提供法律援助。",
        "benefit": "免费提供法律咨询、代拟法律文书、诉讼代理和刑事辩护等服务;特困、低保等社会救助对象免予核查经济困难状况。",
        "amount": "免费",
        "legal_basis": "《中华人民共和国法律援助法》(2022年1月1日起施行);云南省法律援助相关规定",
        "how_to_apply": "向县法律援助中心或乡镇(街道)司法所、公共法律服务站申请,也可拨打12348公共法律服务热线咨询。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 退役军人
    {
        "code": "tuiyi-junren-kunnan-bangfu",
        "name": "困难退役军人帮扶援助",
        "department": "tuiyi",
        "measure": "temporary",
        "needs": ["basic_living", "medical"],
        "condition": _all(
            _member(_is("veteran")),
            _any(
                _is("below_edge"),
                _t("rigid_share", "ge", 0.5),
                _t("special_circumstances", "any_of", ["accident", "death", "disaster"]),
            ),
        ),
        "summary": "退役军人及其家庭因病、因灾、因意外等导致生活困难的,给予帮扶援助(以家庭成员登记的退役军人身份为准,须核实)。",
        "benefit": "在落实社会救助政策基础上,按困难程度给予一次性帮扶援助金,并协调就业、医疗、住房等帮扶。",
        "amount": "按县困难退役军人帮扶援助办法分档核定,一般为一次性帮扶",
        "legal_basis": "《中华人民共和国退役军人保障法》(2021年1月1日起施行);云南省困难退役军人帮扶援助相关规定",
        "how_to_apply": "向户籍所在乡镇(街道)或村(居)退役军人服务站申请,县退役军人事务局审核。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 工会
    {
        "code": "kunnan-zhigong-bangfu",
        "name": "困难职工帮扶",
        "department": "gonghui",
        "measure": "social",
        "needs": ["basic_living", "medical", "education"],
        "condition": _all(
            _is("below_edge"),
            _member(_t("occupation", "in", WORKER)),
        ),
        "summary": "家庭月人均收入低于低保边缘标准的在职职工、农民工会员家庭,建档为困难职工,给予生活、医疗、助学帮扶。",
        "benefit": "建立困难职工档案,给予生活救助、医疗救助和子女助学;元旦春节期间开展“送温暖”慰问。",
        "amount": "按县总工会困难职工帮扶标准分项核定;“送温暖”慰问按当年标准发放",
        "legal_basis": "《中华人民共和国工会法》;中华全国总工会关于困难职工帮扶工作的相关规定",
        "how_to_apply": "向所在单位工会或乡镇(街道)总工会申请,县总工会审核建档。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "jinqiu-zhuxue",
        "name": "“金秋助学”困难职工子女助学",
        "department": "gonghui",
        "measure": "education",
        "needs": ["education"],
        "condition": _all(
            _is("below_edge"),
            _member(_t("occupation", "in", WORKER)),
            _member(_t("school_stage", "in", ["college", "undergraduate"])),
        ),
        "summary": "困难职工和农民工家庭子女当年考入高校的,给予“金秋助学”一次性资助。",
        "benefit": "一次性发放助学金,帮助困难职工子女顺利入学。",
        "amount": "每生一次性资助约3,000~5,000元(以县总工会当年标准为准)",
        "legal_basis": "《中华人民共和国工会法》;中华全国总工会“金秋助学”活动相关规定",
        "how_to_apply": "每年7—9月向所在单位工会或乡镇(街道)总工会申请,县总工会审核发放。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 妇联
    {
        "code": "liangai-jiuzhu",
        "name": "低收入妇女“两癌”救助",
        "department": "fulian",
        "measure": "medical",
        "needs": ["medical", "psychological"],
        "condition": _all(
            _t("circle", "in", [1, 2, 3]),
            _member(_all(_t("sex", "eq", "F"), *_ages(18, 64), _t("disease", "eq", "cancer"))),
        ),
        "summary": "低收入家庭中患宫颈癌、乳腺癌的妇女(须核实病种),给予一次性救助。",
        "benefit": "一次性发放“两癌”救助金,并联动医疗救助、心理疏导和姐妹互助关爱。",
        "amount": "每人一次性救助1万元(全国妇联“两癌”救助项目,以当年项目标准为准)",
        "legal_basis": "全国妇联、财政部中央专项彩票公益金“两癌”患病妇女救助项目相关规定",
        "how_to_apply": "本人或家属向村(居)妇联执委或乡镇(街道)妇联申请,提交诊断证明,县妇联审核上报。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "liushou-kunjing-ertong-guanai",
        "name": "留守儿童和困境儿童关爱服务",
        "department": "fulian",
        "measure": "service",
        "needs": ["caring", "psychological"],
        "condition": _all(
            _any(
                _t("special_circumstances", "any_of", ["child_left_behind", "single_parent"]),
                _tags("orphan", "unsupported_child"),
            ),
            _member(_t("age", "lt", 16)),
        ),
        "summary": "农村留守儿童、单亲和困境家庭儿童,由妇联“儿童之家”和巾帼志愿者开展关爱服务。",
        "benefit": "定期探访、亲情连线、课后托管、安全和心理健康教育,“春蕾”等项目给予学习用品资助。",
        "amount": "免费",
        "legal_basis": "《国务院关于加强农村留守儿童关爱保护工作的意见》(国发〔2016〕13号);《国务院关于加强困境儿童保障工作的意见》(国发〔2016〕36号)",
        "how_to_apply": "由村(居)儿童主任或妇联执委摸排登记,也可由家长向乡镇(街道)妇联申请。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 团县委
    {
        "code": "xiwang-gongcheng-zhuxue",
        "name": "希望工程助学",
        "department": "tuanwei",
        "measure": "social",
        "needs": ["education"],
        "condition": _all(
            _t("circle", "in", [1, 2, 3]),
            _member(_t("school_stage", "in", ["senior", "vocational", "college", "undergraduate"])),
        ),
        "summary": "困难家庭中的高中、中职和大学在读学生,链接希望工程助学资源给予资助。",
        "benefit": "一次性发放助学金或学习用品,并结对青年志愿者开展学业辅导和成长陪伴。",
        "amount": "视当年社会募集情况确定,高中阶段每生约1,000~2,000元、大学新生每生约3,000~5,000元",
        "legal_basis": f"{CI_SHAN};希望工程助学项目实施办法(团县委)",
        "how_to_apply": "向就读学校团组织或户籍所在乡镇(街道)团委申请,团县委审核后对接捐助资源。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 慈善总会
    {
        "code": "dabing-cishan-jiuzhu",
        "name": "大病慈善救助",
        "department": "cishan",
        "measure": "social",
        "needs": ["medical"],
        "condition": _all(
            _t("serious_illness_expense", "ge", 30000),
            _t("circle", "in", [1, 2, 3]),
        ),
        "summary": "经基本医保、大病保险和医疗救助后个人自付仍然较重的困难家庭大病患者,给予慈善救助。",
        "benefit": "按剩余自付费用分档给予一次性慈善救助金,与政府救助信息互通、衔接实施。",
        "amount": "按剩余自付费用分档救助,每户年度一般不超过2万元(以县慈善总会项目标准为准)",
        "legal_basis": f"{CI_SHAN};{GAI_GE}(关于促进社会力量参与社会救助的要求)",
        "how_to_apply": "由乡镇(街道)民政办或社工站推荐,也可本人向县慈善总会申请,提交费用票据和诊断证明。",
        "receipt_code": "charity",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "cishan-zhuxue",
        "name": "慈善助学",
        "department": "cishan",
        "measure": "social",
        "needs": ["education"],
        "condition": _all(
            _t("circle", "in", [1, 2]),
            _member(_t("school_stage", "in", ["college", "undergraduate"])),
        ),
        "summary": "特困、低保、低保边缘等困难家庭中当年考入高校的学生,给予慈善助学金。",
        "benefit": "一次性发放慈善助学金,可与政府教育资助叠加享受。",
        "amount": "每生一次性资助约3,000~5,000元(以县慈善总会当年募集情况为准)",
        "legal_basis": f"{CI_SHAN};县慈善总会慈善助学项目实施办法",
        "how_to_apply": "每年7—9月向县慈善总会申请,或由乡镇(街道)民政办推荐。",
        "receipt_code": "charity",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 社工中心
    {
        "code": "shegong-xinli-shudao",
        "name": "社工心理疏导和个案服务",
        "department": "shegong",
        "measure": "service",
        "needs": ["psychological", "caring"],
        "condition": _all(
            _t("needs", "contains", "psychological"),
            _t("circle", "in", [1, 2, 3]),
        ),
        "summary": "遭遇亲人离世、意外事故、服刑人员家庭、单亲或有精神障碍成员的困难家庭,由社工提供心理疏导和个案服务。",
        "benefit": "社工入户评估后制定服务计划,开展心理疏导、情绪支持、家庭关系调适和资源链接,每次服务留痕并由对象签字确认。",
        "amount": "政府购买服务,对象免费;个案服务一般每月不少于2次",
        "legal_basis": f"{GAI_GE};{FEN_CENG};县民政局政府购买社会救助服务实施方案",
        "how_to_apply": "由村(居)民政协理员、乡镇(街道)社工站转介,也可拨打社会救助热线或本人向社工站申请。",
        "receipt_code": "service",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    # ----------------------------------------------------------------- 志愿服务联合会
    {
        "code": "zhiyuan-tanfang-guanai",
        "name": "志愿者探访关爱",
        "department": "zhiyuan",
        "measure": "service",
        "needs": ["caring"],
        "condition": _all(
            _t(
                "special_circumstances",
                "any_of",
                ["elder_alone", "elder_left_behind", "child_left_behind"],
            ),
        ),
        "summary": "独居、留守老人和留守儿童,由志愿者结对定期探访,重要节日和极端天气期间加密探访。",
        "benefit": "上门探访、电话问候、代购代办、安全检查和陪伴聊天,发现困难及时报告村(居)委会。",
        "amount": "免费;独居、留守老人每月至少探访1次",
        "legal_basis": "《志愿服务条例》(国务院令第685号);县民政局关于开展特殊困难群体探访关爱服务的通知",
        "how_to_apply": "由村(居)委会或乡镇(街道)社工站登记需求,县志愿服务联合会派单结对。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
    {
        "code": "zhiyuan-aixin-daiban",
        "name": "爱心代办“跑腿帮”",
        "department": "zhiyuan",
        "measure": "service",
        "needs": ["nursing", "caring"],
        "condition": _all(
            _t("circle", "in", [1, 2, 3]),
            _member(
                _any(
                    _t("self_care", "in", ["partial", "none"]),
                    _t("disability_grade", "in", [1, 2]),
                )
            ),
        ),
        "summary": "行动不便的困难老年人、重度残疾人,由志愿者提供代购、代办、陪同就医等服务。",
        "benefit": "代购生活用品和药品、代办证照和救助手续、陪同就医,爱心物资送货上门。",
        "amount": "免费",
        "legal_basis": "《志愿服务条例》(国务院令第685号)",
        "how_to_apply": "本人或家属向村(居)委会、乡镇(街道)社工站登记,或拨打社会救助热线,由志愿者派单上门。",
        "receipt_code": "",
        "valid_from": "2025-01-01",
        "valid_to": None,
    },
]

POLICY_KEYS = frozenset({
    "code", "name", "department", "measure", "needs", "condition", "summary", "benefit",
    "amount", "legal_basis", "how_to_apply", "receipt_code", "valid_from", "valid_to",
})  # fmt: skip
DEPARTMENT_KEYS = frozenset({"code", "name", "short_name", "kind", "phone", "order"})
# Field lengths of jiuzhu.policies.models.
MAX_LENGTHS = {"code": 48, "name": 80, "summary": 255, "amount": 255, "how_to_apply": 255,
               "receipt_code": 24}  # fmt: skip
DEPARTMENT_MAX_LENGTHS = {"code": 32, "name": 64, "short_name": 16, "phone": 20}


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def check() -> list[str]:
    """Problems with the library (empty when fine), in Chinese."""
    problems: list[str] = []
    for name, spec in conditions.FIELDS.items():
        if spec.kind in ("code", "codes") and name not in CODES:
            problems.append(f"代码字段“{spec.label}”({name})没有代码表")

    departments: dict[str, dict] = {}
    for d in DEPARTMENTS:
        where = f"部门 {d.get('code')}"
        if set(d) != DEPARTMENT_KEYS:
            problems.append(f"{where}:键应为 {sorted(DEPARTMENT_KEYS)}")
        if d.get("code") in departments:
            problems.append(f"{where}:代码重复")
        departments[d.get("code")] = d
        if d.get("kind") not in DEPARTMENT_KINDS:
            problems.append(f"{where}:类别“{d.get('kind')}”无效")
        for key, limit in DEPARTMENT_MAX_LENGTHS.items():
            if len(str(d.get(key, ""))) > limit:
                problems.append(f"{where}:{key} 超过 {limit} 字")

    receipts = set(c.Assistance.values)
    seen: set[str] = set()
    per_measure = dict.fromkeys(MEASURES, 0)
    per_department = dict.fromkeys(departments, 0)
    for p in POLICIES:
        code = p.get("code")
        where = f"政策 {code}"
        if set(p) != POLICY_KEYS:
            problems.append(
                f"{where}:键不符,多出 {sorted(set(p) - POLICY_KEYS)},缺少 {sorted(POLICY_KEYS - set(p))}"
            )
            continue
        if code in seen:
            problems.append(f"{where}:代码重复")
        seen.add(code)
        if not code or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code):
            problems.append(f"{where}:代码应为英文字母、数字、连字符")
        for key, limit in MAX_LENGTHS.items():
            if len(p[key]) > limit:
                problems.append(f"{where}:{key} 超过 {limit} 字")
        for key in ("name", "benefit", "legal_basis"):
            if not p[key]:
                problems.append(f"{where}:{key} 为空")
        if p["department"] in per_department:
            per_department[p["department"]] += 1
        else:
            problems.append(f"{where}:部门“{p['department']}”不存在")
        if p["measure"] in per_measure:
            per_measure[p["measure"]] += 1
        else:
            problems.append(f"{where}:措施类型“{p['measure']}”无效")
        if not p["needs"] or any(n not in NEED_LABELS for n in p["needs"]):
            problems.append(f"{where}:需求 {p['needs']} 无效")
        if p["receipt_code"] and p["receipt_code"] not in receipts:
            problems.append(f"{where}:已享受标记“{p['receipt_code']}”不是指标27的代码")
        start, end = _date(p["valid_from"]), p["valid_to"]
        if start is None:
            problems.append(f"{where}:生效日期“{p['valid_from']}”无效")
        if end is not None and (_date(end) is None or (start and _date(end) < start)):
            problems.append(f"{where}:失效日期“{end}”无效")
        try:
            conditions.validate(p["condition"], codes=CODES)
        except conditions.ConditionError as error:
            problems.append(f"{where}:{error}")

    problems += [f"措施类型“{m}”只有 {n} 项政策(至少2项)" for m, n in per_measure.items() if n < 2]
    problems += [f"部门“{d}”没有政策" for d, n in per_department.items() if n == 0]
    return problems
