from django.core.management.base import BaseCommand

from jiuzhu.regions import luquan


class Command(BaseCommand):
    help = "载入演示县(禄劝彝族苗族自治县)的行政区划:省、市、县、乡镇(街道)、村(居)、组"

    def handle(self, *args, **options):
        n = luquan.load()
        self.stdout.write(f"区划已就绪:{n} 个")
