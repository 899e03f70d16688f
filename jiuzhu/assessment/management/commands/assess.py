"""python manage.py assess — re-assess households with the vectorised batch path.

assess --all                 every household, with the active model
assess --region 530128102    the households under a region code (county, township, village, group)
assess --all --dry-run       compute and print the counts, write nothing
assess --all --model v3      use a given model version instead of the active one
"""

import json

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.engine.model import FACTOR_LABELS, FACTORS
from jiuzhu.engine.needs import CIRCLE_LABELS
from jiuzhu.regions.models import Region, level_of

from ...batch import assess_region
from ...models import ModelVersion


class Command(BaseCommand):
    help = "用批量(向量化)路径重新评估家庭,结果与逐户评估完全一致"

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="评估全部家庭")
        which.add_argument("--region", help="只评估该区划代码(县、乡镇、村或组)下的家庭")
        parser.add_argument("--dry-run", action="store_true", help="只计算并打印统计,不写入")
        parser.add_argument("--model", help="使用指定的模型版本(默认为启用中的版本)")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **opts):
        code = opts["region"]
        if code is not None:
            try:
                level_of(code)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            if not Region.objects.filter(code=code).exists():
                raise CommandError(f"区划代码 {code} 不存在")
        version = None
        if opts["model"]:
            version = ModelVersion.objects.filter(version=opts["model"]).first()
            if version is None:
                raise CommandError(f"模型版本 {opts['model']} 不存在")
        log = None if opts["json"] else self.stdout.write
        result = assess_region(code, model_version=version, dry_run=opts["dry_run"], log=log)
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        where = f"区划 {code}" if code else "全部"
        self.stdout.write(
            f"{where}:{result['households']:,} 户 {result['members']:,} 人,"
            f"模型 {result['model_version']}"
        )
        causes = ",".join(f"{FACTOR_LABELS[f]} {result['causes'][f]:,}" for f in FACTORS)
        self.stdout.write(f"致困户数:{causes};多因致困 {result['multi_cause']:,} 户")
        circles = ",".join(f"{CIRCLE_LABELS[int(c)]} {n:,}" for c, n in result["circles"].items())
        self.stdout.write(f"圈层:{circles}")
        seconds = result["seconds"]
        if opts["dry_run"]:
            self.stdout.write(f"试运行,未写入。用时 {seconds['total']:.1f} 秒")
            return
        note = (
            f",{result['skipped_newer']:,} 户期间已单独重新评估,保留其结果"
            if result["skipped_newer"]
            else ""
        )
        steps = ",".join(f"{k} {v:.1f}s" for k, v in seconds.items() if k != "total")
        self.stdout.write(
            f"已写入 {result['written']:,} 条评估记录{note}。用时 {seconds['total']:.1f} 秒({steps})"
        )
