"""python manage.py demo_county — the synthetic demo county 禄劝 (530128).

demo_county --households 5000 --if-empty   regions, demo users, 5,000 households if none yet
demo_county --households 5000 --reset      wipe households (and history), generate again
demo_county --print-logins --host H --port P   the URL and the demo logins, nothing else
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jiuzhu.assessment.batch import assess_region
from jiuzhu.demo import generator
from jiuzhu.demo.casework import make_casework
from jiuzhu.policies.services import library_load


class Command(BaseCommand):
    help = "生成演示县(禄劝)的区划、演示账号和合成的困难家庭档案"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=5000, help="生成的家庭户数")
        parser.add_argument("--seed", type=int, default=530128, help="随机种子(同一天内结果相同)")
        parser.add_argument("--reset", action="store_true", help="先清空全部家庭档案及其变更记录")
        parser.add_argument("--if-empty", action="store_true", help="已有家庭档案时不生成")
        parser.add_argument("--chunk-size", type=int, default=50_000, help="每批写入的户数")
        parser.add_argument(
            "--no-assess",
            action="store_true",
            help="生成后不做批量综合评估(默认生成后评估全部家庭)",
        )
        parser.add_argument("--print-logins", action="store_true", help="只打印网址和演示账号")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, **opts):
        if opts["print_logins"]:
            self.stdout.write(generator.logins_table(host=opts["host"], port=opts["port"]))
            return
        if opts["households"] < 0:
            raise CommandError("--households 不能为负数")
        regions = generator.load_county()
        generator.ensure_users()

        loaded = library_load()  # idempotent: an unchanged policy keeps its version
        self.stdout.write(
            f"政策一本通:{loaded['departments']} 个部门和社会组织,{loaded['policies']} 项政策"
        )
        existing = generator.household_count()
        if existing and opts["if_empty"] and not opts["reset"]:
            self.stdout.write(f"已有 {existing} 户家庭档案,不再生成(重新生成请用 --reset)")
            return
        if existing and not opts["reset"]:
            raise CommandError(
                f"已有 {existing} 户家庭档案;用 --reset 清空后重新生成,或用 --if-empty 跳过"
            )
        n = opts["households"]
        self.stdout.write(
            f"区划 {regions} 个,演示账号 {len(generator.DEMO_USERS)} 个;生成 {n} 户……"
        )

        def progress(done: int, total: int) -> None:
            if total >= 200_000:
                self.stdout.write(f"  {done}/{total}")

        with transaction.atomic():
            if opts["reset"]:
                generator.wipe()
            result = generator.generate(
                households=n, seed=opts["seed"], chunk_size=opts["chunk_size"], progress=progress
            )
        self.stdout.write(
            f"已生成 {result.households} 户 {result.members} 人,用时 {result.seconds:.1f} 秒"
            f"({result.rate:,.0f} 户/秒)"
        )
        if not opts["no_assess"] and result.households:
            # A demo county is assessed, so pages, statistics and the API have results to show.

            summary = assess_region(None)
            self.stdout.write(
                f"已完成综合评估 {summary['written']} 户,用时 {summary['seconds']['total']:.1f} 秒"
            )

            made = make_casework(seed=opts["seed"])
            if made:
                self.stdout.write(
                    f"演示个案(翠华镇):{made.get('cases', 0)} 件个案,"
                    f"{made.get('public_reports', 0)} 件群众申报,"
                    f"{made.get('submitted', 0)} 件待本月联席会议审核,"
                    f"上月联席会议 {made.get('review_meetings', 0)} 次"
                )
