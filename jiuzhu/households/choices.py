"""Coded lists for the 28 indicators of seed 002 (原州区) and the status tags.

Codes are stable English identifiers (they go into the API and spreadsheets are
matched by label or code); labels are what a clerk reads.
"""

from django.db import models


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    PARENT_IN_LAW = "parent_in_law", "岳父母/公婆"
    GRANDPARENT = "grandparent", "祖父母/外祖父母"
    GRANDCHILD = "grandchild", "孙子女/外孙子女"
    SIBLING = "sibling", "兄弟姐妹"
    CHILD_IN_LAW = "child_in_law", "儿媳/女婿"
    OTHER = "other", "其他"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Occupation(models.TextChoices):  # 指标1 职业
    FARMER = "farmer", "务农"
    MIGRANT = "migrant_worker", "外出务工"
    LOCAL_WORKER = "local_worker", "本地务工"
    SELF_EMPLOYED = "self_employed", "个体经营"
    EMPLOYEE = "employee", "企事业单位在岗"
    FLEXIBLE = "flexible", "灵活就业"
    STUDENT = "student", "在校学生"
    PRESCHOOL = "preschool", "学龄前儿童"
    RETIRED = "retired", "离退休"
    UNEMPLOYED = "unemployed", "失业(有劳动能力)"
    NONE = "none", "无业"
    INCAPABLE = "incapable", "丧失劳动能力"


class LabourAbility(models.TextChoices):
    FULL = "full", "普通劳动力"
    SKILLED = "skilled", "技能劳动力"
    WEAK = "weak", "弱劳动力或半劳动力"
    LOST = "lost", "丧失劳动力"
    NONE = "none", "无劳动力(未成年或高龄)"


class Skill(models.TextChoices):
    CERTIFIED = "certified", "有职业技能证书"
    SOME = "some", "有一技之长"
    NONE = "none", "无专业技能"


class HealthStatus(models.TextChoices):  # 指标4 健康状况
    HEALTHY = "healthy", "健康"
    WEAK = "weak", "体弱多病"
    CHRONIC = "chronic", "患慢性病"
    SERIOUS = "serious", "患大病"


class Disease(models.TextChoices):  # 指标10 健康情况(主要疾病)
    NONE = "none", "无"
    HYPERTENSION = "hypertension", "高血压"
    DIABETES = "diabetes", "糖尿病"
    CARDIO = "cardio", "心脑血管疾病"
    STROKE = "stroke", "脑卒中后遗症"
    KIDNEY = "kidney_failure", "尿毒症(慢性肾衰竭)"
    CANCER = "cancer", "恶性肿瘤"
    LEUKEMIA = "leukemia", "白血病"
    MENTAL = "severe_mental", "重性精神障碍"
    LIVER = "liver", "肝硬化"
    TB = "tuberculosis", "肺结核"
    ARTHRITIS = "arthritis", "类风湿等慢性关节病"
    OTHER_SERIOUS = "other_serious", "其他重大疾病"
    OTHER = "other", "其他疾病"


class SelfCare(models.TextChoices):  # 指标9 自理程度
    FULL = "full", "完全自理"
    PARTIAL = "partial", "部分自理"
    NONE = "none", "完全不能自理"


class DisabilityType(models.TextChoices):  # 指标6 残疾类型 (GB/T 26341)
    NONE = "none", "无残疾"
    VISUAL = "visual", "视力残疾"
    HEARING = "hearing", "听力残疾"
    SPEECH = "speech", "言语残疾"
    PHYSICAL = "physical", "肢体残疾"
    INTELLECTUAL = "intellectual", "智力残疾"
    MENTAL = "mental", "精神残疾"
    MULTIPLE = "multiple", "多重残疾"


class DisabilityGrade(models.IntegerChoices):  # 指标7 残疾程度
    NONE = 0, "无"
    GRADE1 = 1, "一级"
    GRADE2 = 2, "二级"
    GRADE3 = 3, "三级"
    GRADE4 = 4, "四级"


class DisabilitySubsidy(models.TextChoices):  # 指标8 残疾补贴享受情况
    NONE = "none", "未享受"
    LIVING = "living", "困难残疾人生活补贴"
    CARE = "care", "重度残疾人护理补贴"
    BOTH = "both", "两项补贴均享受"


class DibaoStatus(models.TextChoices):  # 指标5 享受低保情况
    NONE = "none", "未享受"
    HOUSEHOLD = "household", "整户纳入低保"
    INDIVIDUAL = "individual", "单人保"


class SchoolStage(models.TextChoices):  # 指标11 各阶段上学人数
    NOT_IN_SCHOOL = "none", "非在学"
    PRESCHOOL = "preschool", "学前教育"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "普通高中"
    VOCATIONAL = "vocational", "中职"
    COLLEGE = "college", "高职(专科)"
    UNDERGRADUATE = "undergraduate", "本科"
    POSTGRADUATE = "postgraduate", "研究生"
    DROPOUT = "dropout", "因经济困难辍学"


class HousingSafety(models.TextChoices):  # 指标25 是否危房
    SAFE = "safe", "安全住房"
    DAMAGED = "damaged", "一般损坏"
    GRADE_C = "c", "C级危房"
    GRADE_D = "d", "D级危房"
    NO_HOME = "none", "无房(借住或露宿)"


class HousingTenure(models.TextChoices):
    OWN = "own", "自有住房"
    RENT = "rent", "租住"
    BORROWED = "borrowed", "借住亲友"
    PUBLIC = "public", "公租房"


class Livestock(models.TextChoices):  # 指标21 养殖种类
    NONE = "none", "无"
    CATTLE = "cattle", "牛"
    SHEEP = "sheep", "羊"
    PIG = "pig", "猪"
    POULTRY = "poultry", "家禽"
    OTHER = "other", "其他"


class Assistance(models.TextChoices):  # 指标27 享受救助帮扶种类
    DIBAO = "dibao", "最低生活保障金"
    TEKUN = "tekun", "特困人员供养金"
    TEMPORARY = "temporary", "临时救助"
    MEDICAL = "medical", "医疗救助"
    EDUCATION = "education", "教育资助"
    HOUSING = "housing", "住房救助(危房改造)"
    DISABILITY = "disability", "残疾人两项补贴"
    ORPHAN = "orphan", "孤儿基本生活费"
    UNSUPPORTED_CHILD = "unsupported_child", "事实无人抚养儿童生活补贴"
    EMPLOYMENT = "employment", "就业援助"
    INSURANCE = "insurance", "防贫保险"
    MICROCREDIT = "microcredit", "小额信贷"
    CHARITY = "charity", "慈善帮扶"
    SERVICE = "service", "服务类救助"


class Special(models.TextChoices):  # 指标28 其他特殊情况
    LIVING_ALONE_ELDER = "elder_alone", "独居老人"
    LEFT_BEHIND_ELDER = "elder_left_behind", "留守老人"
    LEFT_BEHIND_CHILD = "child_left_behind", "留守儿童"
    SINGLE_PARENT = "single_parent", "单亲家庭"
    PRISONER_FAMILY = "prisoner_family", "服刑人员家庭"
    DISASTER = "disaster", "遭受自然灾害"
    ACCIDENT = "accident", "突发意外事故"
    DEATH = "death", "家庭成员死亡"
    DEBT = "debt", "因病因学负债"
    OTHER = "other", "其他"


class Source(models.TextChoices):
    SURVEY = "survey", "入户摸排"
    WINDOW = "window", "窗口申请"
    SELF_REPORT = "self_report", "自主申报"
    HOTLINE = "hotline", "热线求助"
    WARNING = "warning", "预警线索"
    IMPORT = "import", "台账导入"


# Status tags of PRODUCT.md: (model field, label). Kept as booleans so that
# filtering and vectorised batch work stay simple on SQLite and PostgreSQL.
TAGS: list[tuple[str, str]] = [
    ("tag_tekun", "特困人员"),
    ("tag_dibao", "低保对象"),
    ("tag_dibao_edge", "低保边缘家庭"),
    ("tag_orphan", "孤儿"),
    ("tag_unsupported_child", "事实无人抚养儿童"),
    ("tag_monitored", "防止返贫监测对象"),
    ("tag_rigid_expense", "刚性支出困难家庭"),
]
TAG_LABELS = dict(TAGS)
