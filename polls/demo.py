"""Demo polls: a time poll for Product's next planning meeting, with answers, and a dot vote on the
general circle's priorities. Looked up first, so loading the demo twice adds nothing."""

from datetime import timedelta

from django.utils import timezone

from roles.demo import GENERAL, PRODUCT, circles_by_name

from .models import Poll
from .services import poll_answer, poll_create


def load(*, organisation, members):
    circles = circles_by_name(organisation)
    if Poll.objects.filter(organisation=organisation).exists():
        return
    product, general = circles.get(PRODUCT), circles.get(GENERAL)
    if product is None or general is None:
        return
    day = timezone.localtime(timezone.now(), organisation.tzinfo).replace(hour=14, minute=0, second=0, microsecond=0)
    time_poll = poll_create(
        circle=product,
        by=members["Chiara Rossi"],
        kind=Poll.Kind.TIME,
        title="Product planning meeting",
        body="Which of these afternoons works for you?",
        slots=[day + timedelta(days=n) for n in (8, 9, 10)],
        duration_minutes=90,
    )
    first, second, third = time_poll.options.all()
    for name, values in [
        ("Chiara Rossi", {first.pk: 2, second.pk: 1, third.pk: 0}),
        ("Kemi Adeyemi", {first.pk: 2, second.pk: 2, third.pk: 1}),
    ]:
        poll_answer(poll=time_poll, member=members[name], values=values)
    dots = poll_create(
        circle=general,
        by=members["Alice Okafor"],
        kind=Poll.Kind.DOTS,
        title="What should we work on next quarter?",
        options=["A members' handbook", "Lower hosting costs", "A second video service"],
        points=5,
    )
    handbook, hosting, video = dots.options.all()
    poll_answer(poll=dots, member=members["Alice Okafor"], values={handbook.pk: 3, hosting.pk: 2})
    poll_answer(poll=dots, member=members["Ben Laurent"], values={hosting.pk: 4, video.pk: 1})
