import time

from django.core.management.base import BaseCommand

from project.seed import Size, seed_cooperative


class Command(BaseCommand):
    help = "Seed a large cooperative in bulk (for benchmarks): members, circles, roles, proposals, positions."

    def add_arguments(self, parser):
        defaults = Size()
        parser.add_argument("--slug", default="bench")
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply every size below (0.1 = a tenth).")
        for field, value in defaults.__dict__.items():
            parser.add_argument(f"--{field.replace('_', '-')}", type=int, default=value)
        parser.add_argument("--seed", type=int, default=7, help="Random seed, for repeatable data.")

    def handle(self, *args, **options):
        size = Size(**{field: options[field] for field in Size().__dict__}).scaled(options["scale"])
        started = time.perf_counter()
        organisation = seed_cooperative(slug=options["slug"], size=size, seed=options["seed"])
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Seeded {organisation.slug} in {elapsed:.1f} s: {size}"))
